package dev.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What portcullis-auth-core leaves to the application (Nimbus for OpenID Connect; the pool and the driver for a key
 * store): a configuration that needs one of them without it is refused at the start with an error that names the
 * artifact to add. The configuration is loaded in a class loader of the class path without those libraries.
 */
class OptionalLibrariesTest {
    @TempDir
    Path dir;

    /** The class path without the jars whose file names contain {@code hidden}; only the JDK above it. */
    private static URLClassLoader without(String hidden) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!Path.of(entry).getFileName().toString().matches(hidden)) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        return new URLClassLoader("without-" + hidden, urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "nimbus.*|oauth2-oidc-sdk.*|{\"http\": {\"externalUrl\": \"https://r.example\", \"auth\": {\"openid\": {\"providers\": {\"corp\": {\"issuer\": \"https://sso.example\", \"clientid\": \"r\", \"clientsecret\": \"s\"}}}}}}|dev.portcullis:portcullis-oidc",
        "nimbus.*|oauth2-oidc-sdk.*|{\"http\": {\"auth\": {\"bearer\": {\"oidc\": [{\"issuer\": \"https://ci.example\", \"audiences\": [\"r\"]}]}}}}|dev.portcullis:portcullis-oidc",
        "sqlite-jdbc.*|sqlite-jdbc.*|{\"http\": {\"auth\": {\"apikey\": true}}}|dev.portcullis:portcullis-sqlite",
        "HikariCP.*|HikariCP.*|{\"http\": {\"auth\": {\"apikey\": true}}}|dev.portcullis:portcullis-sqlite",
        "postgresql.*|postgresql.*|{\"http\": {\"auth\": {\"apikey\": true}}, \"portcullis\": {\"keyStore\": \"jdbc:postgresql://127.0.0.1:1/none\"}}|dev.portcullis:portcullis-postgres",
        "unboundid-ldapsdk.*|unboundid-ldapsdk.*|{\"http\": {\"auth\": {\"ldap\": {\"address\": \"ldap.example.org\", \"baseDN\": \"dc=example,dc=org\"}}}}|dev.portcullis:portcullis-ldap",
    })
    void aConfigurationThatNeedsALibraryTheApplicationLacksNamesTheArtifactToAdd(String hidden, String alsoHidden, String json, String artifact)
            throws Exception {
        Path config = Files.writeString(dir.resolve("config.json"), json);
        try (URLClassLoader loader = without(hidden.equals(alsoHidden) ? hidden : "(" + hidden + ")|(" + alsoHidden + ")")) {
            Class<?> type = loader.loadClass(PortcullisConfig.class.getName());
            Throwable refused = null;
            try {
                Object loaded = type.getMethod("load", Path.class).invoke(null, config);
                type.getMethod("build").invoke(loaded);
            } catch (InvocationTargetException e) {
                refused = e.getCause();
            }
            assertThat(refused).as("refused at the start").isNotNull();
            assertThat(refused.getMessage()).contains("add the dependency " + artifact);
            assertThat(refused.getClass().getSimpleName()).isIn("InvalidPolicyException", "ApiKeyStoreException");
        }
    }

    /** A filter with htpasswd and API keys in SQLite needs nothing of OpenID Connect: it builds and decides without Nimbus. */
    @org.junit.jupiter.api.Test
    void aConfigurationWithoutOpenIdConnectBuildsAndDecidesWithoutItsLibrary() throws Exception {
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"), "");
        Path config = Files.writeString(dir.resolve("config.json"), "{\"http\": {\"auth\": {\"apikey\": true, \"htpasswd\": {\"path\": \""
                + htpasswd + "\"}}, \"accessControl\": {\"repositories\": {\"**\": {\"anonymousPolicy\": [\"read\"]}}}}}");
        try (URLClassLoader loader = without("(nimbus.*)|(oauth2-oidc-sdk.*)")) {
            Class<?> type = loader.loadClass(PortcullisConfig.class.getName());
            assertThat(loader.loadClass("dev.portcullis.auth.TestRequest").getClassLoader()).isSameAs(loader);
            try (AutoCloseable portcullis = (AutoCloseable) type.getMethod("build").invoke(type.getMethod("load", Path.class).invoke(null, config))) {
                Object request = loader.loadClass("dev.portcullis.auth.TestRequest").getMethod("of", String.class, String.class, String[].class)
                        .invoke(null, "GET", "/v2/team/app/manifests/v1", new String[0]);
                Object outcome = portcullis.getClass().getMethod("handle", loader.loadClass(HttpRequestView.class.getName())).invoke(portcullis, request);
                assertThat(outcome.getClass().getSimpleName()).isEqualTo("Proceed");
            }
            assertThatThrownBy(() -> loader.loadClass("com.nimbusds.jose.JOSEException")).as("Nimbus is not there")
                    .isInstanceOf(ClassNotFoundException.class);
        }
    }
}
