package dev.portcullis.examples.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.oidc.OidcProviderProcess;
import dev.portcullis.examples.registry.RegistryServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The self-service page in a real browser (headless Chromium), on both front ends, with a real OpenID Provider
 * (oidc-provider): a person opens {@code /auth/}, logs in through the provider's pages, lands back on the page,
 * creates a key with the keyboard alone, sees it once, pushes with it using the real skopeo, revokes it in the page
 * (confirming the browser's dialog), sees skopeo refused, does both again with JavaScript off, and logs out through
 * the provider's logout page.
 *
 * <p>Along the way: markup in a group name (from the provider) and in a key label stays text and runs nothing (the
 * person on the Netty run has both; the pages unit test tries more);
 * every field has a label; the page fits a phone's width and a 640-pixel window (a 1280-pixel screen at 200 %
 * zoom) without sideways scrolling. Screenshots of the logged-out and logged-in pages are written to
 * {@code target/screenshots/} (the README shows the Jetty ones, copied to {@code docs/screenshots/}).
 */
@Tag("e2e")
class SelfServicePageBrowserTest {
    static final String CLIENT_SECRET = "page-client-secret";
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String HOSTILE_GROUP = "<img src=x onerror=alert('group')>";
    /** Who logs in on each front end: on Netty someone whose group and key label carry markup. */
    static final Map<RegistryServer.Kind, Person> PEOPLE = Map.of(
            RegistryServer.Kind.JETTY, new Person("erin", List.of("artifact-workloads"), "nightly build"),
            RegistryServer.Kind.NETTY, new Person("mallory", List.of("artifact-workloads", HOSTILE_GROUP), "ci <script>alert('label')</script>"));

    record Person(String username, List<String> groups, String label) {
        String email() {
            return username + "@example.com";
        }

        String password() {
            return username + "-password-1";
        }
    }

    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    @TempDir
    static Path shared;
    static Browser browser;
    static OidcProviderProcess provider;
    static final Map<RegistryServer.Kind, Integer> PORTS = new EnumMap<>(RegistryServer.Kind.class);

    @BeforeAll
    static void start() throws Exception {
        for (RegistryServer.Kind kind : RegistryServer.Kind.values()) {
            int port;
            do {
                port = KeycloakProcess.freePort();
            } while (PORTS.containsValue(port));
            PORTS.put(kind, port);
        }
        List<String> redirects = PORTS.keySet().stream().map(k -> external(k) + "/auth/callback/oidc").toList();
        List<String> afterLogout = PORTS.keySet().stream().map(k -> external(k) + "/").toList();
        provider = OidcProviderProcess.start(
                List.of(new OidcProviderProcess.Client("registry", CLIENT_SECRET, "client_secret_basic", redirects, afterLogout)),
                PEOPLE.values().stream().map(p -> new OidcProviderProcess.Account(p.username(), p.email(), p.username(), p.groups(),
                        p.password())).toList());
        browser = Browser.start(shared.resolve("browser"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (provider != null) {
            provider.close();
        }
    }

    static String external(RegistryServer.Kind kind) {
        return "http://127.0.0.1:" + PORTS.get(kind);
    }

    @ParameterizedTest(name = "{0} front end")
    @EnumSource(RegistryServer.Kind.class)
    void logInMintAKeyPushWithItRevokeItAndLogOut(RegistryServer.Kind kind, @TempDir Path dir) throws Exception {
        String external = external(kind);
        String name = kind.name().toLowerCase(Locale.ROOT);
        Person person = PEOPLE.get(kind);
        try (RegistryServer server = RegistryServer.start(new RegistryServer.Options(kind, null, dir.resolve("data"), PORTS.get(kind),
                "127.0.0.1", new RegistryServer.Oidc(provider.issuer(), "registry", CLIENT_SECRET, external)))) {
            ChromeDriver driver = browser.driver();
            WebDriverWait wait = new WebDriverWait(driver, WAIT);
            browser.clearCookies();
            driver.manage().window().setSize(new Dimension(1100, 900));

            // logged out: the providers to log in with, and what anonymous callers may do
            driver.get(external + "/auth/");
            assertThat(driver.getTitle()).isEqualTo("Log in — portcullis-registry");
            assertThat(driver.findElement(By.cssSelector("#anon ~ ul")).getText()).isEqualTo("read in every repository");
            fitsWidths(driver);
            screenshot(driver, "logged-out-" + name);
            driver.findElement(By.linkText("Log in with oidc")).click();

            // the provider's own pages: login form, then consent; then back on the page
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.name("login"))).sendKeys(person.username());
            driver.findElement(By.name("password")).sendKeys(person.password());
            driver.findElement(By.cssSelector("form button[type=submit]")).click();
            wait.until(ExpectedConditions.elementToBeClickable(
                    By.xpath("//form[input[@name='prompt' and @value='consent']]//button[@type='submit']"))).click();
            BrowserLoginTest.awaitUrl(driver, external + "/auth/");
            assertThat(driver.findElement(By.id("who")).getText()).isEqualTo("Signed in as " + person.email());
            assertThat(driver.findElement(By.cssSelector("dd")).getText()).isEqualTo(String.join(", ", person.groups()));
            assertThat(driver.findElement(By.cssSelector("#rights ~ ul")).getText())
                    .isEqualTo("read, create in every repository");
            assertThat(count(driver, "img")).as("the group's markup is text").isZero();
            assertThat(unlabelledFields(driver)).as("fields without a label").isZero();

            // a key, made with the keyboard alone: type the label, Tab to the button, Enter
            WebElement label = driver.findElement(By.id("label"));
            label.click();
            label.sendKeys(person.label());
            new Select(driver.findElement(By.id("lifetime"))).selectByValue("7");
            label.click();
            for (int i = 0; i < 5 && !"Create key".equals(driver.switchTo().activeElement().getText()); i++) {
                new Actions(driver).sendKeys(Keys.TAB).perform();
            }
            assertThat(driver.switchTo().activeElement().getText()).as("Tab reaches the create button").isEqualTo("Create key");
            new Actions(driver).sendKeys(Keys.ENTER).perform();
            WebElement shown = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("new-key")));
            String key = shown.getAttribute("value");
            assertThat(key).startsWith("pck_");
            assertThat(driver.findElement(By.id("newkey")).getText()).isEqualTo("Your new API key “" + person.label() + "”");
            assertNoAlert(driver);
            assertThat(count(driver, "script")).as("only the page's own script").isEqualTo(1);
            assertThat(driver.findElement(By.id("ex-docker")).getText())
                    .isEqualTo("echo '" + key + "' | docker login 127.0.0.1:" + PORTS.get(kind) + " --username '" + person.email() + "' --password-stdin");
            WebElement copy = driver.findElement(By.cssSelector("button[data-copy=new-key]"));
            assertThat(copy.isDisplayed()).as("the copy button appears with JavaScript").isTrue();
            fitsWidths(driver);
            screenshotWithoutSecret(driver, "new-key-" + name);

            // skopeo pushes with the key
            Skopeo skopeo = new Skopeo(Files.createDirectories(dir.resolve("skopeo")));
            OciLayout image = OciLayout.write(dir.resolve("image"), "v1", name.hashCode(), 1);
            String reference = "docker://127.0.0.1:" + server.port() + "/team/page-" + name + ":v1";
            skopeo.copy(image.reference(), reference, "--dest-tls-verify=false", "--dest-creds", person.email() + ":" + key).orFail();

            // the page again: the key is listed (used just now), its secret is gone
            driver.get(external + "/auth/");
            assertThat(driver.getPageSource()).doesNotContain(key);
            WebElement row = driver.findElement(By.cssSelector("#keys ~ table tbody tr"));
            assertThat(row.findElement(By.cssSelector("td[data-label=Label]")).getText()).isEqualTo(person.label());
            assertThat(row.findElement(By.cssSelector("td[data-label=Status]")).getText()).isEqualTo("active");
            fitsWidths(driver);
            screenshot(driver, "logged-in-" + name);

            // revoke it in the page (the browser asks first), and skopeo is refused
            row.findElement(By.cssSelector("button.danger")).click();
            wait.until(ExpectedConditions.alertIsPresent()).accept();
            wait.until(ExpectedConditions.urlToBe(external + "/auth/?notice=revoked"));
            assertThat(driver.findElement(By.cssSelector("section.notice")).getText())
                    .isEqualTo("The key was revoked. Tools that use it are refused from now on.");
            Skopeo.Result refused = skopeo.copy(image.reference(), reference.replace(":v1", ":v2"), "--dest-tls-verify=false",
                    "--dest-creds", person.email() + ":" + key);
            assertThat(refused.succeeded()).as("a push with the revoked key").isFalse();
            assertThat(refused.output()).contains("authentication required");

            // without JavaScript the core actions work the same: create, see the key, revoke (without the dialog)
            driver.executeCdpCommand("Emulation.setScriptExecutionDisabled", Map.of("value", true));
            try {
                driver.get(external + "/auth/");
                driver.findElement(By.id("label")).sendKeys("no script");
                driver.findElement(By.xpath("//button[text()='Create key']")).click();
                WebElement plain = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("new-key")));
                assertThat(plain.getAttribute("value")).startsWith("pck_");
                assertThat(driver.findElement(By.cssSelector("button[data-copy=new-key]")).isDisplayed())
                        .as("no copy button without JavaScript").isFalse();
                driver.get(external + "/auth/");
                driver.findElement(By.xpath("//tr[td[text()='no script']]//button[text()='Revoke']")).click();
                wait.until(ExpectedConditions.urlToBe(external + "/auth/?notice=revoked"));
                assertThat(driver.findElements(By.cssSelector("td[data-label=Status]")).stream().map(WebElement::getText))
                        .containsOnly("revoked");
            } finally {
                driver.executeCdpCommand("Emulation.setScriptExecutionDisabled", Map.of("value", false));
            }

            // log out: the session cookie goes, the provider's logout page confirms, the browser comes back
            driver.findElement(By.xpath("//button[text()='Log out']")).click();
            wait.until(ExpectedConditions.urlContains(provider.issuer()));
            assertThat(driver.manage().getCookieNamed("portcullis_session")).isNull();
            wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("button[autofocus], form button[type=submit]"))).click();
            BrowserLoginTest.awaitUrl(driver, external + "/");
            driver.get(external + "/auth/");
            assertThat(driver.findElement(By.id("login")).getText()).isEqualTo("Log in");
        }
    }

    static long count(ChromeDriver driver, String selector) {
        return (Long) driver.executeScript("return document.querySelectorAll(arguments[0]).length", selector);
    }

    static long unlabelledFields(ChromeDriver driver) {
        return (Long) driver.executeScript("""
                return [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
                    .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim()).length""");
    }

    static void assertNoAlert(ChromeDriver driver) {
        try {
            driver.switchTo().alert();
            throw new AssertionError("a dialog opened: markup from a label or a claim ran");
        } catch (NoAlertPresentException expected) {
            // nothing ran
        }
    }

    /** At a phone's width and at 640 pixels (1280 at 200 % zoom), nothing makes the page scroll sideways. */
    static void fitsWidths(ChromeDriver driver) {
        Dimension before = driver.manage().window().getSize();
        for (int width : new int[] {390, 640}) {
            driver.manage().window().setSize(new Dimension(width, 900));
            Long overflow = (Long) driver.executeScript("return document.documentElement.scrollWidth - document.documentElement.clientWidth");
            assertThat(overflow).as("sideways overflow at %d px", width).isLessThanOrEqualTo(0L);
        }
        driver.manage().window().setSize(before);
    }

    static void screenshot(ChromeDriver driver, String name) throws Exception {
        Dimension before = driver.manage().window().getSize();
        Long height = (Long) driver.executeScript("return document.documentElement.scrollHeight");
        driver.manage().window().setSize(new Dimension(before.getWidth(), (int) Math.min(height + 120, 4000)));
        Files.createDirectories(SCREENSHOTS);
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve("self-service-" + name + ".png"),
                StandardCopyOption.REPLACE_EXISTING);
        driver.manage().window().setSize(before);
    }

    /** The new-key page with the key replaced by a placeholder in the picture (the key itself is live until revoked). */
    static void screenshotWithoutSecret(ChromeDriver driver, String name) throws Exception {
        driver.executeScript("""
                const key = document.getElementById('new-key').value;
                const fake = key.replace(/_[A-Za-z0-9]+$/, '_' + 'x'.repeat(key.length - key.lastIndexOf('_') - 1));
                document.getElementById('new-key').value = fake;
                for (const pre of document.querySelectorAll('pre')) { pre.textContent = pre.textContent.replaceAll(key, fake); }""");
        screenshot(driver, name);
    }
}
