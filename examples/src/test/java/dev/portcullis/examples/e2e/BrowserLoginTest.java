package dev.portcullis.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.auth.oidc.OidcProviderProcess;
import dev.portcullis.examples.registry.RegistryServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * OIDC browser logins into the example registry, on both front ends, with two real OpenID Providers: a person signs
 * in through the provider's own pages in a real browser (headless Chromium driven by Selenium), lands back on the
 * registry with a session cookie, creates an API key from the page ({@code POST /auth/apikey} by {@code fetch}, with
 * the {@code X-Portcullis-Csrf} header and the session cookie), and the real skopeo pushes an image with that key
 * and pulls it back anonymously. A cross-origin form post with the same session cookie is refused (403).
 *
 * <p>The providers: oidc-provider ({@link OidcProviderProcess}: its login form, then its consent form) and Keycloak
 * ({@link KeycloakProcess}: its login form; groups from a group-membership mapper). Each starts once for its nested
 * class; the registry starts for each test, on a port picked before the providers start, because its external URL
 * (and so the redirect URI registered at the provider) must be known first. Each provider logs in a member of
 * {@code artifact-workloads} on one front end and a member of {@code admins} on the other; both groups may push
 * under the bundled policy, nobody else may.
 *
 * <p>One browser serves the whole class; its cookies are cleared before each login. Neither tokens, passwords nor
 * cookie values are printed.
 */
@Tag("e2e")
class BrowserLoginTest {
    static final String CLIENT_SECRET = "registry-client-secret";
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Person ERIN = new Person("erin", "erin@example.com", "erin-password-1", "artifact-workloads");
    static final Person OLGA = new Person("olga", "olga@example.com", "olga-password-1", "admins");
    static final ObjectMapper JSON = new ObjectMapper();

    /** A person known to both providers, member of one group. */
    record Person(String username, String email, String password, String group) {
        @Override
        public String toString() {
            return username;
        }
    }

    @TempDir
    static Path shared;
    static Browser browser;
    /** The port of each front end, fixed before the providers start: the redirect URIs name it. */
    static final Map<RegistryServer.Kind, Integer> PORTS = new EnumMap<>(RegistryServer.Kind.class);

    @BeforeAll
    static void startBrowser() throws Exception {
        for (RegistryServer.Kind kind : RegistryServer.Kind.values()) {
            int port;
            do {
                port = KeycloakProcess.freePort();
            } while (PORTS.containsValue(port));
            PORTS.put(kind, port);
        }
        browser = Browser.start(shared.resolve("browser"));
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    static String externalUrl(RegistryServer.Kind kind) {
        return "http://127.0.0.1:" + PORTS.get(kind);
    }

    static List<String> redirectUris() {
        return PORTS.keySet().stream().map(kind -> externalUrl(kind) + "/auth/callback/oidc").toList();
    }

    @Nested
    class WithOidcProvider {
        static OidcProviderProcess provider;

        @BeforeAll
        static void startProvider() throws Exception {
            provider = OidcProviderProcess.start(
                    List.of(new OidcProviderProcess.Client("registry", CLIENT_SECRET, "client_secret_basic", redirectUris(), List.of())),
                    List.of(account(ERIN), account(OLGA)));
        }

        static OidcProviderProcess.Account account(Person p) {
            return new OidcProviderProcess.Account(p.username(), p.email(), p.username(), List.of(p.group()), p.password());
        }

        @AfterAll
        static void stopProvider() {
            if (provider != null) {
                provider.close();
            }
        }

        @ParameterizedTest(name = "{0} front end, {1}")
        @CsvSource({"JETTY, erin", "NETTY, olga"})
        void aBrowserLoginGivesAKeyThatSkopeoPushesWith(RegistryServer.Kind kind, String user, @TempDir Path dir) throws Exception {
            loginCreateKeyPushAndPull("oidc-provider", provider.issuer(), provider.issuer() + "/.well-known/openid-configuration",
                    kind, person(user), dir, (driver, p) -> {
                        WebDriverWait wait = new WebDriverWait(driver, WAIT);
                        // the provider's development pages: a login form, then a consent form (a fresh session has no grant)
                        wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("login"))).sendKeys(p.username());
                        driver.findElement(By.name("password")).sendKeys(p.password());
                        driver.findElement(By.cssSelector("form button[type=submit]")).click();
                        wait.until(ExpectedConditions.elementToBeClickable(
                                By.xpath("//form[input[@name='prompt' and @value='consent']]//button[@type='submit']"))).click();
                    });
        }
    }

    @Nested
    class WithKeycloak {
        static KeycloakProcess keycloak;

        @BeforeAll
        static void startKeycloak() throws Exception {
            keycloak = KeycloakProcess.start(Files.createDirectories(shared.resolve("keycloak")), CLIENT_SECRET, redirectUris(),
                    List.of(user(ERIN), user(OLGA)));
        }

        static KeycloakProcess.User user(Person p) {
            return new KeycloakProcess.User(p.username(), p.email(), p.password(), p.group());
        }

        @AfterAll
        static void stopKeycloak() {
            if (keycloak != null) {
                keycloak.close();
            }
        }

        @ParameterizedTest(name = "{0} front end, {1}")
        @CsvSource({"JETTY, olga", "NETTY, erin"})
        void aBrowserLoginGivesAKeyThatSkopeoPushesWith(RegistryServer.Kind kind, String user, @TempDir Path dir) throws Exception {
            loginCreateKeyPushAndPull("keycloak", keycloak.issuer(), keycloak.discoveryUrl(), kind, person(user), dir, (driver, p) -> {
                WebDriverWait wait = new WebDriverWait(driver, WAIT);
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys(p.username());
                driver.findElement(By.id("password")).sendKeys(p.password());
                driver.findElement(By.id("kc-login")).click();
            });
        }
    }

    static Person person(String username) {
        return switch (username) {
            case "erin" -> ERIN;
            case "olga" -> OLGA;
            default -> throw new IllegalArgumentException(username);
        };
    }

    /** Fills the provider's pages, from its login form until it sends the browser back to the registry. */
    interface SignIn {
        void fill(ChromeDriver driver, Person person);
    }

    static void loginCreateKeyPushAndPull(String providerName, String issuer, String providerPage, RegistryServer.Kind kind, Person person,
                                          Path dir, SignIn signIn) throws Exception {
        String external = externalUrl(kind);
        String name = providerName + "-" + kind.name().toLowerCase(Locale.ROOT);
        try (RegistryServer server = RegistryServer.start(new RegistryServer.Options(kind, null, dir.resolve("data"), PORTS.get(kind),
                "127.0.0.1", new RegistryServer.Oidc(issuer, "registry", CLIENT_SECRET, external)))) {
            ChromeDriver driver = browser.driver();
            browser.clearCookies();

            // 1. the login: registry → provider's pages → registry, in the browser
            Instant start = Instant.now();
            driver.get(external + "/auth/login?provider=oidc&callback_ui=/v2/");
            signIn.fill(driver, person);
            awaitUrl(driver, external + "/v2/");
            long loginMs = Duration.between(start, Instant.now()).toMillis();
            Cookie session = driver.manage().getCookieNamed("portcullis_session");
            assertThat(session).as("the registry's session cookie after the login").isNotNull();
            assertThat(session.isHttpOnly()).as("the session cookie is HttpOnly").isTrue();
            assertThat(session.getSameSite()).isEqualTo("Lax");
            assertThat((String) driver.executeScript("return document.cookie")).doesNotContain("portcullis_session");

            // 2. an API key, made by the page with the session cookie and the CSRF header
            start = Instant.now();
            Map<String, Object> created = post(driver, "/auth/apikey", Map.of("X-Portcullis-Csrf", "1", "Content-Type", "application/json"),
                    "{\"label\":\"laptop\"}");
            long keyMs = Duration.between(start, Instant.now()).toMillis();
            assertThat(created.get("status")).as("POST /auth/apikey: %s", created.get("status").equals(201L) ? "(created)" : created.get("body"))
                    .isEqualTo(201L);
            JsonNode key = JSON.readTree((String) created.get("body"));
            assertThat(key.path("label").asText()).isEqualTo("laptop");
            String token = key.path("apiKey").asText();
            assertThat(token).as("the new key").startsWith("pck_");

            // a same-origin page may leave the header out: CsrfCheck also accepts an Origin that matches the Host
            Map<String, Object> sameOrigin = post(driver, "/auth/apikey", Map.of("Content-Type", "application/json"), "{\"label\":\"same-origin\"}");
            assertThat(sameOrigin.get("status")).as("same-origin POST without the header").isEqualTo(201L);

            // a page of another origin (the provider's) posts a form to the registry: the browser sends the SameSite=Lax
            // cookie (127.0.0.1 on another port is the same site) with that origin, and the registry refuses it
            driver.get(providerPage);
            driver.executeScript("""
                    const form = document.createElement('form');
                    form.method = 'POST';
                    form.action = arguments[0];
                    form.enctype = 'text/plain';
                    document.body.appendChild(form);
                    form.submit();""", external + "/auth/apikey");
            awaitUrl(driver, external + "/auth/apikey");
            Object status = driver.executeScript("return performance.getEntriesByType('navigation')[0].responseStatus");
            assertThat(status).as("a cross-origin form post with the session cookie").isEqualTo(403L);
            assertThat(driver.findElement(By.tagName("body")).getText()).contains("cross-site request refused");

            // 3. skopeo pushes with the key (user name: the verified e-mail address) and pulls anonymously
            Skopeo skopeo = new Skopeo(Files.createDirectories(dir.resolve("skopeo")));
            OciLayout image = OciLayout.write(dir.resolve("image"), "v1", name.hashCode(), 2);
            String reference = "docker://127.0.0.1:" + server.port() + "/team/browser-" + name + ":v1";
            start = Instant.now();
            skopeo.copy(image.reference(), reference, "--dest-tls-verify=false", "--dest-creds", person.email() + ":" + token).orFail();
            long pushMs = Duration.between(start, Instant.now()).toMillis();
            start = Instant.now();
            Path pulled = dir.resolve("pulled");
            skopeo.copy(reference, "oci:" + pulled + ":v1", "--src-tls-verify=false", "--src-no-creds").orFail();
            long pullMs = Duration.between(start, Instant.now()).toMillis();
            assertThat(skopeo.inspect("oci:" + pulled + ":v1").orFail().output()).contains(image.manifestDigest());

            System.out.printf("[browser] %s as %s (%s): login %d ms, key %d ms, push %d ms, pull %d ms%n",
                    name, person.username(), person.group(), loginMs, keyMs, pushMs, pullMs);
        }
    }

    /** {@code fetch(path, {method: 'POST', headers, body})} in the page; the status and the response text. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> post(ChromeDriver driver, String path, Map<String, String> headers, String body) {
        return (Map<String, Object>) driver.executeAsyncScript("""
                const [path, headers, body, done] = arguments;
                fetch(path, {method: 'POST', headers: headers, body: body})
                    .then(response => response.text().then(text => done({status: response.status, body: text})))
                    .catch(error => done({status: 0, body: String(error)}));""", path, headers, body);
    }

    /** Waits until the browser is at {@code url}; else fails with where it is and what the page says. */
    static void awaitUrl(ChromeDriver driver, String url) {
        try {
            new WebDriverWait(driver, WAIT).until(ExpectedConditions.urlToBe(url));
        } catch (TimeoutException e) {
            String text;
            try {
                text = driver.findElement(By.tagName("body")).getText();
            } catch (RuntimeException unreadable) {
                text = "(unreadable: " + unreadable.getMessage() + ")";
            }
            throw new AssertionError("the browser did not reach " + url + " within " + WAIT.toSeconds() + " s; it is at "
                    + driver.getCurrentUrl() + ", showing:\n" + text.substring(0, Math.min(text.length(), 2000)), e);
        }
    }
}
