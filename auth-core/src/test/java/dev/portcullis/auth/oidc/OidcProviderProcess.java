package dev.portcullis.auth.oidc;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A real, certified OpenID Provider ({@code oidc-provider} 9.13.3 on Node.js) in a child process, for end-to-end
 * tests of a relying party: {@code node auth-core/src/test/oidc-provider/server.mjs}, on 127.0.0.1 with an
 * ephemeral port. Authorization-code flow only, PKCE (S256) required, scopes {@code openid profile email groups};
 * {@code email}, {@code email_verified}, {@code preferred_username} and {@code groups} are in the ID token and
 * from UserInfo; RP-initiated logout is on. State is in memory and goes with the process.
 *
 * <p>Needs Node.js 20.19 or later on the PATH and the node project installed once:
 * {@code npm ci --prefix auth-core/src/test/oidc-provider} (from the repository root).
 *
 * <pre>{@code
 * try (OidcProviderProcess op = OidcProviderProcess.start(List.of(client), List.of(account))) {
 *     URI callback = op.login(authorizationUrlMadeByTheRelyingParty, "alice", "alice-password");
 *     // callback: the client's redirect_uri with code, state and iss (or error=...)
 * }
 * }</pre>
 */
public final class OidcProviderProcess implements AutoCloseable {
    /** The node project, relative to the repository root. */
    public static final String PROJECT = "auth-core/src/test/oidc-provider";
    /** The command that installs it. */
    public static final String INSTALL = "npm ci --prefix " + PROJECT;

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_REQUESTS_PER_LOGIN = 20;
    private static final int STDERR_LINES_KEPT = 60;

    /** A registered client; {@code authMethod} is {@code client_secret_basic} or {@code client_secret_post}. */
    public record Client(String id, String secret, String authMethod, List<String> redirectUris,
                         List<String> postLogoutRedirectUris) {
        public Client {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(secret, "secret");
            if (!authMethod.equals("client_secret_basic") && !authMethod.equals("client_secret_post")) {
                throw new IllegalArgumentException("authMethod must be client_secret_basic or client_secret_post, not " + authMethod);
            }
            redirectUris = List.copyOf(redirectUris);
            postLogoutRedirectUris = List.copyOf(postLogoutRedirectUris);
        }
    }

    /** An end-user; the login form accepts {@code preferredUsername}, {@code email} or {@code sub} as the login. */
    public record Account(String sub, String email, String preferredUsername, List<String> groups, String password) {
        public Account {
            Objects.requireNonNull(sub, "sub");
            Objects.requireNonNull(password, "password");
            groups = List.copyOf(groups);
        }
    }

    /** The provider showed its login form again after the login was submitted: unknown login or wrong password. */
    public static final class LoginRejectedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LoginRejectedException(String login, String reason) {
            super("the OpenID Provider rejected the login of '" + login + "': " + reason);
        }
    }

    private final Process process;
    private final String issuer;
    private final Deque<String> stderrTail;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(REQUEST_TIMEOUT)
            .build();

    private OidcProviderProcess(Process process, String issuer, Deque<String> stderrTail) {
        this.process = process;
        this.issuer = issuer;
        this.stderrTail = stderrTail;
    }

    /** The provider printed nothing for {@link #STARTUP_TIMEOUT}: it was stopped. */
    private static final class SilentStart extends IOException {
        private static final long serialVersionUID = 1L;

        SilentStart(String message) {
            super(message);
        }
    }

    /**
     * Starts {@code node server.mjs} and waits, at most 30 s, for it to print {@code LISTENING <issuer>}. A provider that
     * stays silent that long is stopped and started once more: in one CI run a node process printed its first notice and
     * then nothing for 30 s (on the 2-core machine, right after the skopeo suite), where it usually listens within a second.
     *
     * @throws IllegalStateException if the node project cannot be found, or is not installed
     * @throws IOException if {@code node} cannot be run, or the provider exits, or stays silent twice, instead of listening
     */
    public static OidcProviderProcess start(List<Client> clients, List<Account> accounts) throws IOException {
        try {
            return launch(clients, accounts);
        } catch (SilentStart first) {
            System.err.println("[oidc-provider] " + first.getMessage() + "\n[oidc-provider] starting it once more");
            return launch(clients, accounts);
        }
    }

    private static OidcProviderProcess launch(List<Client> clients, List<Account> accounts) throws IOException {
        Path project = locateProject();
        if (!Files.isRegularFile(project.resolve("node_modules/oidc-provider/package.json"))) {
            throw new IllegalStateException("oidc-provider is not installed in " + project
                    + ": run `" + INSTALL + "` from the repository root (needs Node.js >= 20.19 and npm)");
        }
        ProcessBuilder builder = new ProcessBuilder("node", "server.mjs").directory(project.toFile());
        builder.environment().put("OIDC_PROVIDER_CONFIG", configJson(clients, accounts));
        builder.environment().remove("NODE_OPTIONS");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException("cannot run `node` (" + e.getMessage() + "): the OpenID Provider needs Node.js >= 20.19 on the PATH, "
                    + "then `" + INSTALL + "`", e);
        }

        Deque<String> stderrTail = new ArrayDeque<>();
        Thread stderrPump = pump(process.getErrorStream(), "oidc-provider-stderr", line -> {
            System.err.println("[oidc-provider] " + line);
            synchronized (stderrTail) {
                if (stderrTail.size() == STDERR_LINES_KEPT) {
                    stderrTail.removeFirst();
                }
                stderrTail.addLast(line);
            }
        }, () -> { });
        CompletableFuture<String> listening = new CompletableFuture<>();
        pump(process.getInputStream(), "oidc-provider-stdout", line -> {
            if (!listening.isDone() && line.startsWith("LISTENING ")) {
                listening.complete(line.substring("LISTENING ".length()).trim());
            } else {
                System.out.println("[oidc-provider] " + line);
            }
        }, () -> listening.completeExceptionally(new IllegalStateException("stdout closed before LISTENING")));

        try {
            String issuer = listening.get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return new OidcProviderProcess(process, issuer, stderrTail);
        } catch (TimeoutException e) {
            stop(process);
            throw new SilentStart("the OpenID Provider did not print LISTENING within " + STARTUP_TIMEOUT.toSeconds()
                    + " s; its stderr:\n" + tail(stderrTail));
        } catch (ExecutionException e) {
            stop(process);
            joinQuietly(stderrPump);
            throw new IOException("the OpenID Provider (node " + project.resolve("server.mjs") + ") exited"
                    + (process.isAlive() ? "" : " with code " + process.exitValue()) + " before listening; its stderr:\n" + tail(stderrTail)
                    + "\n(if a module is missing: `" + INSTALL + "`)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(process);
            throw new InterruptedIOException("interrupted while the OpenID Provider was starting");
        }
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash; discovery is at {@code issuer() + "/.well-known/openid-configuration"}. */
    public String issuer() {
        return issuer;
    }

    /**
     * Acts as a browser with a fresh cookie jar (so no earlier session is reused): follows {@code authorizationUrl}
     * through the provider's own pages, submits the login form with {@code login} and {@code password}, approves
     * the consent form, and returns the first redirect that leaves the provider: the client's redirect_uri with
     * {@code code}, {@code state} and {@code iss}, or with {@code error=...} when the provider refuses the request
     * (for instance {@code invalid_request} without a PKCE code_challenge).
     *
     * <p>A wrong password or an unknown login does not redirect: the provider shows its login form again, with
     * "Invalid login or password.", and this method throws {@link LoginRejectedException}.
     *
     * @param authorizationUrl an authorization request on this provider ({@code issuer() + "/auth?..."})
     * @throws LoginRejectedException if the login form comes back after the login was submitted
     * @throws AssertionError if a page is neither the login nor the consent form (the provider's error page, say);
     *     the message shows the page
     */
    public URI login(URI authorizationUrl, String login, String password) throws IOException, InterruptedException {
        URI origin = URI.create(issuer);
        if (!sameOrigin(authorizationUrl, origin)) {
            throw new IllegalArgumentException("not an authorization URL of this provider (" + issuer + "): " + authorizationUrl);
        }
        CookieJar cookies = new CookieJar();
        URI uri = authorizationUrl;
        String form = null; // the body to POST, or null to GET
        boolean loginSubmitted = false;
        for (int i = 0; i < MAX_REQUESTS_PER_LOGIN; i++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT);
            if (form == null) {
                request.GET();
            } else {
                request.POST(HttpRequest.BodyPublishers.ofString(form)).header("Content-Type", "application/x-www-form-urlencoded");
            }
            String cookieHeader = cookies.header(uri);
            if (!cookieHeader.isEmpty()) {
                request.header("Cookie", cookieHeader);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            cookies.store(uri, response.headers());
            int status = response.statusCode();

            if (status >= 300 && status < 400) {
                String location = response.headers().firstValue("Location").orElse(null);
                if (location == null) {
                    throw new AssertionError("HTTP " + status + " without a Location from " + uri);
                }
                URI next = uri.resolve(location);
                if (!sameOrigin(next, origin)) {
                    return next;
                }
                uri = next;
                form = null;
                continue;
            }

            String page = response.body();
            Form found = status == 200 ? Form.find(page) : null;
            String prompt = found == null ? "" : found.fields().getOrDefault("prompt", "");
            Map<String, String> fields = found == null ? Map.of() : new LinkedHashMap<>(found.fields());
            switch (prompt) {
                case "login" -> {
                    if (loginSubmitted) {
                        throw new LoginRejectedException(login, errorMessage(page));
                    }
                    fields.put("login", login);
                    fields.put("password", password);
                    loginSubmitted = true;
                }
                case "consent" -> {
                    // approve: the consent form is the hidden prompt alone
                }
                default -> throw new AssertionError("expected the provider's login or consent form at " + uri
                        + ", got HTTP " + status + ":\n" + page + "\n--- the provider's last stderr lines:\n" + tail(stderrTail));
            }
            uri = uri.resolve(found.action());
            form = urlEncode(fields);
        }
        throw new AssertionError("no redirect to the client after " + MAX_REQUESTS_PER_LOGIN + " requests; last at " + uri);
    }

    /**
     * A whole code flow (PKCE S256) for {@code client}, logged in as {@code login}: the ID token the token endpoint
     * returns, as a workload would hold it.
     */
    public String idToken(Client client, String login, String password) throws IOException, InterruptedException {
        byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        String verifier = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String challenge;
        try {
            challenge = java.util.Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String redirect = client.redirectUris().get(0);
        Map<String, String> auth = new LinkedHashMap<>();
        auth.put("client_id", client.id());
        auth.put("redirect_uri", redirect);
        auth.put("response_type", "code");
        auth.put("scope", "openid email groups");
        auth.put("nonce", verifier.substring(0, 16));
        auth.put("code_challenge", challenge);
        auth.put("code_challenge_method", "S256");
        URI back = login(URI.create(issuer + "/auth?" + urlEncode(auth)), login, password);
        Matcher code = Pattern.compile("[?&]code=([^&]+)").matcher(back.getRawQuery() == null ? "" : "?" + back.getRawQuery());
        if (!code.find()) {
            throw new AssertionError("no code in the redirect " + back);
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", java.net.URLDecoder.decode(code.group(1), StandardCharsets.UTF_8));
        form.put("redirect_uri", redirect);
        form.put("code_verifier", verifier);
        form.put("client_id", client.id());
        form.put("client_secret", client.secret());
        HttpResponse<String> tokens = http.send(HttpRequest.newBuilder(URI.create(issuer + "/token")).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(urlEncode(form))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (tokens.statusCode() != 200) {
            throw new AssertionError("the token endpoint answered HTTP " + tokens.statusCode() + ": " + tokens.body());
        }
        return new ObjectMapper().readTree(tokens.body()).path("id_token").asText();
    }

    /** Stops node: closes its stdin (it exits on that), destroys it if it has not exited within 10 s, and waits. */
    @Override
    public void close() {
        stop(process);
    }

    private static void stop(Process process) {
        try {
            try {
                process.getOutputStream().close();
            } catch (IOException ignored) {
                // already closed: node has gone
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Walks up from the working directory (a module's or the repository's) to the node project. */
    static Path locateProject() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(PROJECT);
            if (Files.isRegularFile(candidate.resolve("package.json"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no " + PROJECT + "/package.json in " + start + " or any directory above it");
    }

    private static String configJson(List<Client> clients, List<Account> accounts) {
        List<Map<String, Object>> c = new ArrayList<>();
        for (Client client : clients) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("client_id", client.id());
            m.put("client_secret", client.secret());
            m.put("token_endpoint_auth_method", client.authMethod());
            m.put("redirect_uris", client.redirectUris());
            m.put("post_logout_redirect_uris", client.postLogoutRedirectUris());
            c.add(m);
        }
        List<Map<String, Object>> a = new ArrayList<>();
        for (Account account : accounts) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("sub", account.sub());
            m.put("email", account.email());
            m.put("preferred_username", account.preferredUsername());
            m.put("groups", account.groups());
            m.put("password", account.password());
            a.add(m);
        }
        try {
            return new ObjectMapper().writeValueAsString(Map.of("clients", c, "accounts", a));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a stream of the process line by line on a daemon thread, so that node never blocks on a full pipe. */
    private static Thread pump(InputStream stream, String name, Consumer<String> lines, Runnable atEnd) {
        Thread t = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    lines.accept(line);
                }
            } catch (IOException e) {
                // the process has gone; nothing left to read
            } finally {
                atEnd.run();
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Deque<String> lines) {
        synchronized (lines) {
            return lines.isEmpty() ? "(nothing)" : String.join("\n", lines);
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
                && a.getPort() == b.getPort();
    }

    private static String urlEncode(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static final Pattern ERROR = Pattern.compile("<p class=\"error\">(.*?)</p>", Pattern.DOTALL);

    private static String errorMessage(String page) {
        Matcher m = ERROR.matcher(page);
        return m.find() ? Form.unescape(m.group(1).trim()) : "the login form came back without a message:\n" + page;
    }

    /** The first form of a page that has a hidden {@code prompt} input: its action and hidden fields. */
    private record Form(String action, Map<String, String> fields) {
        private static final Pattern FORM = Pattern.compile("<form\\b([^>]*)>(.*?)</form>", Pattern.DOTALL | Pattern.CASE_INSENSITIVE);
        private static final Pattern INPUT = Pattern.compile("<input\\b([^>]*)>", Pattern.CASE_INSENSITIVE);
        private static final Pattern ATTRIBUTE = Pattern.compile("([a-zA-Z-]+)\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)')");

        static Form find(String page) {
            Matcher form = FORM.matcher(page);
            while (form.find()) {
                Map<String, String> fields = new LinkedHashMap<>();
                Matcher input = INPUT.matcher(form.group(2));
                while (input.find()) {
                    Map<String, String> attributes = attributes(input.group(1));
                    if ("hidden".equalsIgnoreCase(attributes.get("type")) && attributes.containsKey("name")) {
                        fields.put(attributes.get("name"), attributes.getOrDefault("value", ""));
                    }
                }
                String action = attributes(form.group(1)).get("action");
                if (action != null && fields.containsKey("prompt")) {
                    return new Form(action, fields);
                }
            }
            return null;
        }

        private static Map<String, String> attributes(String tag) {
            Map<String, String> attributes = new LinkedHashMap<>();
            Matcher m = ATTRIBUTE.matcher(tag);
            while (m.find()) {
                attributes.put(m.group(1).toLowerCase(Locale.ROOT), unescape(m.group(2) != null ? m.group(2) : m.group(3)));
            }
            return attributes;
        }

        private static final Pattern ENTITY = Pattern.compile("&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);");

        static String unescape(String s) {
            return ENTITY.matcher(s).replaceAll(m -> {
                String e = m.group(1);
                String c = switch (e) {
                    case "amp" -> "&";
                    case "lt" -> "<";
                    case "gt" -> ">";
                    case "quot" -> "\"";
                    case "apos" -> "'";
                    default -> Character.toString(e.startsWith("#x")
                            ? Integer.parseInt(e.substring(2), 16) : Integer.parseInt(e.substring(1)));
                };
                return Matcher.quoteReplacement(c);
            });
        }
    }

    /** The cookies of one browser for the provider's single origin: name, path, value; expiry only as deletion. */
    private static final class CookieJar {
        private record Cookie(String name, String path, String value) {
        }

        private final Map<String, Cookie> cookies = new LinkedHashMap<>();

        void store(URI requestUri, HttpHeaders headers) {
            for (String setCookie : headers.allValues("Set-Cookie")) {
                String[] parts = setCookie.split(";");
                int eq = parts[0].indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String name = parts[0].substring(0, eq).trim();
                String value = parts[0].substring(eq + 1).trim();
                String path = defaultPath(requestUri);
                boolean expired = false;
                for (int i = 1; i < parts.length; i++) {
                    String attribute = parts[i].trim();
                    int at = attribute.indexOf('=');
                    String key = (at < 0 ? attribute : attribute.substring(0, at)).trim().toLowerCase(Locale.ROOT);
                    String v = at < 0 ? "" : attribute.substring(at + 1).trim();
                    switch (key) {
                        case "path" -> path = v.startsWith("/") ? v : defaultPath(requestUri);
                        case "max-age" -> expired |= v.matches("-?\\d+") && Long.parseLong(v) <= 0;
                        case "expires" -> expired |= inThePast(v);
                        default -> {
                        }
                    }
                }
                String key = name + "\n" + path;
                if (expired) {
                    cookies.remove(key);
                } else {
                    cookies.put(key, new Cookie(name, path, value));
                }
            }
        }

        String header(URI uri) {
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            return cookies.values().stream()
                    .filter(c -> path.equals(c.path()) || path.startsWith(c.path().endsWith("/") ? c.path() : c.path() + "/"))
                    .map(c -> c.name() + "=" + c.value())
                    .collect(Collectors.joining("; "));
        }

        private static String defaultPath(URI uri) {
            String path = uri.getRawPath();
            int slash = path == null ? -1 : path.lastIndexOf('/');
            return slash <= 0 ? "/" : path.substring(0, slash);
        }

        private static boolean inThePast(String date) {
            try {
                return ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).isBefore(ZonedDateTime.now());
            } catch (DateTimeParseException e) {
                return false;
            }
        }
    }
}
