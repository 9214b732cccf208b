package dev.portcullis.examples.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.chromium.ChromiumDriverLogLevel;

/**
 * A headless Chromium driven by Selenium, for end-to-end tests of browser logins: Debian's {@code chromium} and
 * {@code chromium-driver} ({@value #INSTALL}), nothing downloaded. The browser and the driver are named
 * ({@code /usr/bin/chromium}, {@code /usr/bin/chromedriver}; the system properties {@code chromium.binary} and
 * {@code webdriver.chrome.driver} override them), so Selenium Manager never runs: Selenium only asks it when it knows
 * no driver. The profile is fresh, in the given directory; background networking, component updates, sync and QUIC
 * are off, so the browser talks to nothing but the pages it is sent to. HOME and the XDG directories point into the
 * given directory too.
 *
 * <p>chromedriver's own log is off: at its default level it logs each command with its arguments, passwords
 * typed into a form included.
 *
 * <pre>{@code
 * try (Browser browser = Browser.start(tmp.resolve("browser"))) {
 *     browser.driver().get("http://127.0.0.1:" + port + "/");
 *     browser.clearCookies(); // before the next login
 * }
 * }</pre>
 */
public final class Browser implements AutoCloseable {
    /** How to get the browser and its driver on Debian or Ubuntu. */
    public static final String INSTALL = "apt-get install chromium chromium-driver";
    /** How long a page may take to load, and a script to call back. */
    public static final Duration TIMEOUT = Duration.ofSeconds(30);

    /**
     * At each start Selenium looks for a DevTools binding ({@code selenium-devtools-vNNN}) for the browser's version and
     * warns "Unable to find CDP implementation matching NNN" when there is none. None is needed: none is on the class
     * path, and {@link #clearCookies()} goes through chromedriver's own CDP command, which needs no binding.
     */
    private static final Logger CDP_VERSION_FINDER = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    static {
        CDP_VERSION_FINDER.setLevel(Level.SEVERE);
    }

    private final ChromeDriver driver;

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    /**
     * Starts chromedriver and a headless Chromium with a new profile in {@code dir} (created if need be).
     *
     * @throws IllegalStateException if the browser or the driver is not installed
     */
    public static Browser start(Path dir) throws IOException {
        Path chromium = executable("chromium.binary", "/usr/bin/chromium");
        Path chromedriver = executable("webdriver.chrome.driver", "/usr/bin/chromedriver");
        Path profile = Files.createDirectories(dir.toAbsolutePath().resolve("profile"));
        Path home = Files.createDirectories(dir.toAbsolutePath().resolve("home"));

        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--no-default-browser-check", "--disable-default-apps", "--disable-extensions", "--disable-quic",
                "--password-store=basic", "--window-size=1280,900", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.toFile())
                .usingAnyFreePort()
                .withLogLevel(ChromiumDriverLogLevel.OFF)
                .withLogOutput(OutputStream.nullOutputStream())
                // the browser's caches and settings outside the profile (dconf, fontconfig) go here, not to the user's HOME
                .withEnvironment(Map.of("HOME", home.toString(), "XDG_CONFIG_HOME", home.resolve(".config").toString(),
                        "XDG_CACHE_HOME", home.resolve(".cache").toString()))
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(TIMEOUT).scriptTimeout(TIMEOUT);
        return new Browser(driver);
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Forgets every cookie of every site (the DevTools command; WebDriver's deleteAllCookies clears the current page's only). */
    public void clearCookies() {
        driver.executeCdpCommand("Network.clearBrowserCookies", Map.of());
    }

    /** Closes the browser and stops chromedriver. */
    @Override
    public void close() {
        driver.quit();
    }

    private static Path executable(String property, String fallback) {
        Path path = Path.of(System.getProperty(property, fallback));
        if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
            throw new IllegalStateException(path + " is not an executable file: the browser tests drive Debian's Chromium through its"
                    + " chromedriver; install them with `" + INSTALL + "` (as root), or name others with -D" + property);
        }
        return path;
    }
}
