package dev.portcullis.auth.oidc;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A local stand-in of GitHub's OAuth app endpoints and the REST API calls a login makes, serving GitHub's documented
 * shapes: {@code /login/oauth/authorize} (302 back with {@code code} and {@code state}),
 * {@code /login/oauth/access_token} (JSON with {@code Accept: application/json}; a refused code or wrong client is
 * still 200, with {@code error}), and under {@code /api}: {@code GET /user}, {@code /user/emails}, {@code /user/orgs},
 * {@code /user/teams} (paginated with {@code Link: <…>; rel="next"}, 401 {@code Bad credentials}, 403 without
 * {@code read:org}). One JDK HTTP server on 127.0.0.1.
 */
final class GitHubStandIn implements AutoCloseable {
    static final String CLIENT_ID = "Iv1.8a61f9b3a7aba766";
    static final String CLIENT_SECRET = "1f5e0b4f0e6b9a2c3d4e5f60718293a4b5c6d7e8";
    private static final String DOCS = "https://docs.github.com/rest";

    private record Grant(String redirectUri, String challenge, String scope) {
    }

    private final HttpServer server;
    private final String base;
    private final Map<String, Grant> codes = new ConcurrentHashMap<>();
    private final Map<String, String> tokens = new ConcurrentHashMap<>(); // token → granted scopes
    volatile String login = "octocat";
    volatile long id = 583231;
    /** {@code /user/emails}, as GitHub lists them. */
    volatile String emails = """
            [{"email":"octocat@users.noreply.github.com","verified":true,"primary":false,"visibility":null},
             {"email":"octocat@github.com","verified":true,"primary":true,"visibility":"public"}]""";
    volatile List<String> orgs = List.of("github", "octo-org");
    /** Teams as {@code org/slug}. */
    volatile List<String> teams = List.of("github/justice-league");
    /** Items per page at most (GitHub: {@code per_page}, at most 100). */
    volatile int pageSize = 100;
    /** Where the {@code next} links point (another origin, to check the token does not follow). */
    volatile String nextBase;
    volatile boolean down;
    /** When set, the organization and team lists answer GitHub's rate-limit 403. */
    volatile boolean rateLimited;
    final List<String> requests = new CopyOnWriteArrayList<>();
    volatile Map<String, String> lastAuthorize = Map.of();
    volatile Map<String, String> lastTokenForm = Map.of();
    final List<String> apiHeaders = new CopyOnWriteArrayList<>();

    GitHubStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        nextBase = base;
        server.createContext("/", this::handle);
        server.start();
    }

    String base() {
        return base;
    }

    GitHubProviderSettings settings(String name) {
        return GitHubProviderSettings.of(name, CLIENT_ID, CLIENT_SECRET)
                .withEndpoints(base + "/login/oauth/authorize", base + "/login/oauth/access_token", base + "/api");
    }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        requests.add(x.getRequestMethod() + " " + path);
        if (down) {
            send(x, 503, "text/html", "<html><body>Unicorn! No server is currently available to service your request.</body></html>");
            return;
        }
        switch (path) {
            case "/login/oauth/authorize" -> authorize(x);
            case "/login/oauth/access_token" -> accessToken(x);
            case "/api/user" -> api(x, false, () -> "{\"login\":\"" + login + "\",\"id\":" + id + ",\"type\":\"User\",\"site_admin\":false}");
            case "/api/user/emails" -> api(x, false, () -> emails); // (needs user:email: see api)
            case "/api/user/orgs" -> page(x, orgs.stream().map(o -> "{\"login\":\"" + o + "\",\"id\":" + Math.abs(o.hashCode())
                    + ",\"url\":\"" + base + "/api/orgs/" + o + "\",\"description\":null}").toList());
            case "/api/user/teams" -> page(x, teams.stream().map(t -> {
                String[] parts = t.split("/");
                return "{\"id\":" + Math.abs(t.hashCode()) + ",\"slug\":\"" + parts[1] + "\",\"name\":\"" + parts[1] + "\",\"privacy\":\"closed\","
                        + "\"organization\":{\"login\":\"" + parts[0] + "\",\"id\":" + Math.abs(parts[0].hashCode()) + "}}";
            }).toList());
            default -> send(x, 404, "application/json", "{\"message\":\"Not Found\",\"documentation_url\":\"" + DOCS + "\"}");
        }
    }

    private void authorize(HttpExchange x) throws IOException {
        Map<String, String> q = FakeProvider.query(x.getRequestURI().getRawQuery());
        lastAuthorize = q;
        if (!CLIENT_ID.equals(q.get("client_id"))) {
            send(x, 404, "text/html", "<html><body>Not Found</body></html>");
            return;
        }
        String code = UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        codes.put(code, new Grant(q.get("redirect_uri"), q.getOrDefault("code_challenge", ""), q.getOrDefault("scope", "")));
        x.getResponseHeaders().add("Location", q.get("redirect_uri") + "?code=" + code + "&state=" + q.get("state"));
        x.sendResponseHeaders(302, -1);
        x.close();
    }

    private void accessToken(HttpExchange x) throws IOException {
        Map<String, String> f = FakeProvider.query(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        lastTokenForm = f;
        if (!CLIENT_ID.equals(f.get("client_id")) || !CLIENT_SECRET.equals(f.get("client_secret"))) {
            send(x, 200, "application/json", error("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect."));
            return;
        }
        Grant grant = codes.remove(String.valueOf(f.get("code")));
        if (grant == null || !grant.redirectUri().equals(f.get("redirect_uri")) || !grant.challenge().equals(s256(f.getOrDefault("code_verifier", "")))) {
            send(x, 200, "application/json", error("bad_verification_code", "The code passed is incorrect or expired."));
            return;
        }
        String token = "gho_" + UUID.randomUUID().toString().replace("-", "");
        String scopes = String.join(",", grant.scope().split(" "));
        tokens.put(token, scopes);
        send(x, 200, "application/json", "{\"access_token\":\"" + token + "\",\"token_type\":\"bearer\",\"scope\":\"" + scopes + "\"}");
    }

    private static String error(String code, String description) {
        return "{\"error\":\"" + code + "\",\"error_description\":\"" + description + "\",\"error_uri\":\"" + DOCS + "\"}";
    }

    private interface Body {
        String get();
    }

    /** An API call: the bearer token must be one this stand-in gave out; org data needs read:org. */
    private void api(HttpExchange x, boolean needsReadOrg, Body body) throws IOException {
        String authorization = x.getRequestHeaders().getFirst("Authorization");
        apiHeaders.add(authorization + " | " + x.getRequestHeaders().getFirst("Accept") + " | " + x.getRequestHeaders().getFirst("X-GitHub-Api-Version"));
        String scopes = authorization != null && authorization.startsWith("Bearer ") ? tokens.get(authorization.substring(7)) : null;
        if (scopes != null && needsReadOrg && rateLimited) {
            x.getResponseHeaders().add("X-RateLimit-Limit", "5000");
            x.getResponseHeaders().add("X-RateLimit-Remaining", "0");
            send(x, 403, "application/json", "{\"message\":\"API rate limit exceeded for user ID 583231.\",\"documentation_url\":\"" + DOCS
                    + "\",\"status\":\"403\"}");
        } else if (scopes == null) {
            send(x, 401, "application/json", "{\"message\":\"Bad credentials\",\"documentation_url\":\"" + DOCS + "\",\"status\":\"401\"}");
        } else if (x.getRequestURI().getPath().equals("/api/user/emails") && !Set.of(scopes.split(",")).contains("user:email")
                && !Set.of(scopes.split(",")).contains("user")) {
            send(x, 404, "application/json", "{\"message\":\"Not Found\",\"documentation_url\":\"" + DOCS + "\",\"status\":\"404\"}");
        } else if (needsReadOrg && !Set.of(scopes.split(",")).contains("read:org")) {
            send(x, 403, "application/json", "{\"message\":\"You need at least read:org scope or user scope to list your organizations.\","
                    + "\"documentation_url\":\"" + DOCS + "\",\"status\":\"403\"}");
        } else {
            send(x, 200, "application/json; charset=utf-8", body.get());
        }
    }

    private void page(HttpExchange x, List<String> items) throws IOException {
        Map<String, String> q = FakeProvider.query(x.getRequestURI().getRawQuery());
        int size = Math.min(pageSize, Integer.parseInt(q.getOrDefault("per_page", "30")));
        int page = Integer.parseInt(q.getOrDefault("page", "1"));
        int from = Math.min(items.size(), (page - 1) * size);
        int to = Math.min(items.size(), from + size);
        if (to < items.size()) {
            x.getResponseHeaders().add("Link", "<" + nextBase + x.getRequestURI().getPath() + "?per_page=" + q.getOrDefault("per_page", "30")
                    + "&page=" + (page + 1) + ">; rel=\"next\", <" + nextBase + x.getRequestURI().getPath() + "?page=" + ((items.size() - 1) / size + 1)
                    + ">; rel=\"last\"");
        }
        api(x, true, () -> "[" + String.join(",", new ArrayList<>(items.subList(from, to))) + "]");
    }

    private static String s256(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", type);
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }

    /** What the API was asked, in order, without the host. */
    List<String> apiRequests() {
        return requests.stream().filter(r -> r.contains(" /api/")).collect(Collectors.toList());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
