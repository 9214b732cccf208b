package dev.portcullis.auth.apikey;

import com.zaxxer.hikari.HikariConfig;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Each kind of database {@link JdbcApiKeyStore} keeps keys in: its JDBC driver, the artifact that brings it, its pool settings and its error codes. */
enum JdbcDialect {
    SQLITE("jdbc:sqlite:", "org.sqlite.JDBC", "dev.portcullis:portcullis-sqlite"),
    POSTGRESQL("jdbc:postgresql:", "org.postgresql.Driver", "dev.portcullis:portcullis-postgres");

    private static final Logger LOG = LoggerFactory.getLogger(JdbcDialect.class);

    private final String prefix;
    private final String driver;
    private final String artifact;

    JdbcDialect(String prefix, String driver, String artifact) {
        this.prefix = prefix;
        this.driver = driver;
        this.artifact = artifact;
    }

    /** The dialect of a JDBC URL, or null for a database Portcullis does not keep keys in. */
    static @Nullable JdbcDialect of(String url) {
        return Arrays.stream(values()).filter(d -> url.startsWith(d.prefix)).findFirst().orElse(null);
    }

    /**
     * The driver and the pool are the application's to add (portcullis-auth-core does not impose them): without them,
     * an error that names what to add, before any of their classes is touched.
     */
    void requireLibraries() {
        for (String library : List.of(driver, "com.zaxxer.hikari.HikariDataSource")) {
            try {
                Class.forName(library, false, JdbcDialect.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw new ApiKeyStoreException("the " + name().toLowerCase(Locale.ROOT) + " key store needs " + library
                        + ", which is not on the class path: add the dependency " + artifact + " to the application", null);
            }
        }
    }

    /** The pool settings of this kind of database. */
    void configure(HikariConfig config) {
        // named, not looked up by URL: DriverManager finds the drivers of the class loader it started with, which in a servlet
        // container is not the web application's (WEB-INF/lib), and a WAR's key store failed with "No suitable driver"
        config.setDriverClassName(driver);
        if (this == SQLITE) {
            config.setMaximumPoolSize(4);
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("busy_timeout", "5000");
            config.addDataSourceProperty("synchronous", "NORMAL");
        } else {
            config.setMaximumPoolSize(8);
        }
    }

    /** What the operator can do about a full or read-only database, in SQLite's and PostgreSQL's terms; empty otherwise. */
    String advice(SQLException e) {
        int sqliteCode = this == SQLITE ? e.getErrorCode() & 0xff : -1; // the primary result code
        if (sqliteCode == 13 || "53100".equals(e.getSQLState())) { // SQLITE_FULL, PostgreSQL disk_full
            return "; the disk holding the key store is full: free space there (existing keys keep working meanwhile)";
        }
        if (sqliteCode == 8 || "25006".equals(e.getSQLState())) { // SQLITE_READONLY, PostgreSQL read_only_sql_transaction
            return "; the key store is read-only: make the database (for SQLite, the file and its directory) writable by this"
                    + " process (existing keys keep working meanwhile)";
        }
        return "";
    }

    /** Deregisters from DriverManager the key store's drivers (SQLite's, PostgreSQL's) that {@code loader} loaded. */
    static void deregisterDrivers(ClassLoader loader) {
        for (Driver d : Collections.list(DriverManager.getDrivers())) {
            if (d.getClass().getClassLoader() == loader && Arrays.stream(values()).anyMatch(v -> v.driver.equals(d.getClass().getName()))) {
                try {
                    DriverManager.deregisterDriver(d);
                } catch (SQLException e) {
                    LOG.warn("cannot deregister the JDBC driver {}: {}", d.getClass().getName(), e.getMessage());
                }
            }
        }
    }
}
