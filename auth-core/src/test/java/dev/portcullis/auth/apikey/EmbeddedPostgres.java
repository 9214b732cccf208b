package dev.portcullis.auth.apikey;

import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real PostgreSQL server per test class, with a fresh database per test:
 * {@code @RegisterExtension static final EmbeddedPostgres POSTGRES = new EmbeddedPostgres();}
 */
public final class EmbeddedPostgres implements BeforeAllCallback, AfterAllCallback {
    private io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private final AtomicInteger databases = new AtomicInteger();

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        server.close();
    }

    /** A JDBC URL of a new, empty database. */
    public String newDatabase() throws Exception {
        String name = "keys" + databases.incrementAndGet();
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return server.getJdbcUrl("postgres", name);
    }
}
