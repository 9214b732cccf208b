/**
 * The PostgreSQL key-store feature artifact, {@code portcullis-postgres}: it holds no code of its own. Depending on it
 * brings the PostgreSQL driver and the connection pool that an API-key store shared by several nodes needs beside
 * {@code portcullis-auth-core}. A configuration that needs them without this artifact stops the start and names it.
 */
@NullMarked
package dev.portcullis.postgres;

import org.jspecify.annotations.NullMarked;
