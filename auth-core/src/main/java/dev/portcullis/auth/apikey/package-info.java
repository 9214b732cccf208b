/**
 * API keys: the service that creates, verifies and revokes them
 * ({@link dev.portcullis.auth.apikey.ApiKeyService}), their stores (in memory, SQLite, PostgreSQL) and their scopes.
 * Depends on the policy's actions and patterns, Argon2 and Caffeine; on HikariCP and a JDBC driver only for
 * {@link dev.portcullis.auth.apikey.JdbcApiKeyStore}. Knows nothing of HTTP.
 */
@NullMarked
package dev.portcullis.auth.apikey;

import org.jspecify.annotations.NullMarked;
