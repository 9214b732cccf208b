package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts the test applications on embedded Tomcat at 127.0.0.1 and an ephemeral port, and talks to them over HTTP. */
final class TestApps {
    /**
     * Spring Security is on the test class path for {@link SpringSecurityCoexistenceTest}; without a filter chain of
     * their own, the other applications would get Boot's default one, which asks for a login on every path.
     */
    static final String WITHOUT_SPRING_SECURITY = "org.springframework.boot.autoconfigure.security.servlet.SecurityAutoConfiguration,"
            + "org.springframework.boot.autoconfigure.security.servlet.SecurityFilterAutoConfiguration,"
            + "org.springframework.boot.autoconfigure.security.servlet.UserDetailsServiceAutoConfiguration,"
            + "org.springframework.boot.actuate.autoconfigure.security.servlet.ManagementWebSecurityAutoConfiguration";

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private TestApps() {
    }

    /** Runs {@code application} with these properties on top of the defaults (127.0.0.1, a free port, no Spring Security). */
    static ConfigurableApplicationContext start(Class<?> application, Map<String, Object> properties) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("server.address", "127.0.0.1");
        all.put("server.port", "0");
        all.put("spring.main.banner-mode", "off");
        all.put("spring.autoconfigure.exclude", WITHOUT_SPRING_SECURITY);
        all.putAll(properties);
        return new SpringApplicationBuilder(application).properties(all).run();
    }

    static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a request; {@code authorization} may be null. A body is sent for PUT and POST. */
    static HttpResponse<String> send(int port, String method, String path, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        boolean withBody = method.equals("PUT") || method.equals("POST");
        request.method(method, withBody ? HttpRequest.BodyPublishers.ofString("{\"schemaVersion\":2}") : HttpRequest.BodyPublishers.noBody());
        if (withBody) {
            request.header("Content-Type", "application/vnd.oci.image.manifest.v1+json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> send(int port, String method, String path) throws IOException, InterruptedException {
        return send(port, method, path, null);
    }

    /**
     * Sends a request head only (its body announced, never sent) over a socket of its own and answers the first
     * status line that comes back within 3 s: {@code HTTP/1.1 100 } when the server invites the body.
     */
    static String firstStatusLine(int port, String head) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(3000);
            OutputStream out = socket.getOutputStream();
            out.write(head.replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b != -1 && b != '\r'; b = in.read()) {
                line.append((char) b);
            }
            return line.toString();
        }
    }

    private static final Pattern VERSION = Pattern.compile("-(\\d[^/]*)\\.jar$");

    /** The version in the name of the jar a class was loaded from. */
    static String versionOf(Class<?> type) throws URISyntaxException {
        String jar = type.getProtectionDomain().getCodeSource().getLocation().toURI().getPath();
        Matcher m = VERSION.matcher(jar);
        assertThat(m.find()).as(jar).isTrue();
        return m.group(1);
    }

    /** The properties of spring-boot-dependencies, read from its POM beside Spring Boot's jar in the local repository. */
    static Map<String, String> bootManagedVersions() throws Exception {
        Path springBootJar = Path.of(org.springframework.boot.SpringApplication.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String version = versionOf(org.springframework.boot.SpringApplication.class);
        Path pom = springBootJar.getParent().getParent().getParent().resolve("spring-boot-dependencies").resolve(version)
                .resolve("spring-boot-dependencies-" + version + ".pom");
        Map<String, String> properties = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<([a-z0-9.-]+\\.version)>([^<]+)</").matcher(Files.readString(pom));
        while (m.find()) {
            properties.putIfAbsent(m.group(1), m.group(2));
        }
        return properties;
    }
}
