/**
 * The SQLite key-store feature artifact, {@code portcullis-sqlite}: it holds no code of its own. Depending on it brings
 * the SQLite driver and the connection pool that the embedded API-key store (the configuration file's default) needs
 * beside {@code portcullis-auth-core}. A configuration that needs them without this artifact stops the start and names
 * it.
 */
@NullMarked
package dev.portcullis.sqlite;

import org.jspecify.annotations.NullMarked;
