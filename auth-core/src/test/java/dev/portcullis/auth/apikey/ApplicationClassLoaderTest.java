package dev.portcullis.auth.apikey;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.sql.Driver;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * API keys in a class loader of their own, as in a web application whose {@code WEB-INF/lib} holds Portcullis and its
 * drivers: DriverManager, started on the JVM's class path, cannot see that loader's drivers, and what the loader's
 * libraries register JVM-wide must be let go of when the application is undeployed.
 */
public class ApplicationClassLoaderTest {
    @TempDir
    Path dir;

    /** The JDBC drivers that DriverManager shows a caller of the loader this class was loaded by (public: called across loaders). */
    public static List<String> driversSeenHere() {
        return Collections.list(DriverManager.getDrivers()).stream().map(d -> d.getClass().getName()).toList();
    }

    /** A fresh loader of this JVM's class path that does not delegate to it (only to the JDK), as a web application's does. */
    private static URLClassLoader applicationLoader() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        return new URLClassLoader("application", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    /** Runs {@code work} with {@code loader} as the thread's context class loader, as a container runs an application's code. */
    private static <T> T in(ClassLoader loader, Callable<T> work) throws Exception {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(loader);
        try {
            return work.call();
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    /** Opens a SQLite store through {@code loader}'s classes, with it as the context class loader, and creates a key in it. */
    private void createAKeyIn(ClassLoader loader) throws Exception {
        Class<?> store = loader.loadClass(JdbcApiKeyStore.class.getName());
        Class<?> service = loader.loadClass(ApiKeyService.class.getName());
        String file = dir.resolve("keys.db").toString();
        in(loader, () -> {
            try (AutoCloseable opened = (AutoCloseable) store.getMethod("open", String.class).invoke(null, file)) {
                Object builder = service.getMethod("builder", loader.loadClass(ApiKeyStore.class.getName())).invoke(null, opened);
                try (AutoCloseable keys = (AutoCloseable) builder.getClass().getMethod("build").invoke(builder)) {
                    Class<?> request = loader.loadClass(ApiKeyService.KeyRequest.class.getName());
                    Object ci = request.getConstructors()[0].newInstance("ci", List.of(), "ci", List.of(), null, "test");
                    service.getMethod("create", request).invoke(keys, ci); // an Argon2id hash: JNA starts its cleaner thread
                }
            }
            return null;
        });
    }

    @Test
    void theStoreOpensInALoaderWhoseDriversDriverManagerDoesNotSee() throws Exception {
        DriverManager.getDrivers(); // it starts with the JVM's class path, as a container starts it (Tomcat at its own start)
        try (URLClassLoader loader = applicationLoader()) {
            createAKeyIn(loader);
        }
    }

    @Test
    void releasingTheLibrariesOfALoaderLetsGoOfItsDriverAndJnaThreadOnly() throws Exception {
        Class.forName("org.sqlite.JDBC"); // this JVM's own driver, which must stay registered
        try (URLClassLoader loader = applicationLoader()) {
            createAKeyIn(loader);
            Callable<List<String>> seenByTheApplication = () -> {
                @SuppressWarnings("unchecked")
                List<String> drivers = (List<String>) loader.loadClass(getClass().getName()).getMethod("driversSeenHere").invoke(null);
                return drivers;
            };
            assertThat(seenByTheApplication.call()).contains("org.sqlite.JDBC");
            List<Thread> jnaThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("JNA Cleaner") && t.getClass().getClassLoader() == loader).toList();
            assertThat(jnaThreads).hasSize(1);

            loader.loadClass(ApiKeyService.class.getName()).getMethod("releaseLibraries", ClassLoader.class).invoke(null, loader);

            assertThat(seenByTheApplication.call()).doesNotContain("org.sqlite.JDBC");
            assertThat(jnaThreads.get(0).isAlive()).isFalse();
            assertThat(Collections.list(DriverManager.getDrivers())).map(Driver::getClass).map(Class::getName).contains("org.sqlite.JDBC");
        }
    }
}
