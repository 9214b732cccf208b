package dev.portcullis.auth.apikey;

import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/** One real PostgreSQL server for a test class, with a fresh database per test. */
final class EmbeddedPostgres implements AutoCloseable {
    private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private final AtomicInteger databases = new AtomicInteger();

    EmbeddedPostgres() throws Exception {
        server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start();
    }

    /** A JDBC URL of a new, empty database. */
    String newDatabase() throws Exception {
        String name = "keys" + databases.incrementAndGet();
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return server.getJdbcUrl("postgres", name);
    }

    int port() {
        return server.getPort();
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
