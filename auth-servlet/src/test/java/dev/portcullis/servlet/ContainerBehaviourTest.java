package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.apikey.ApiKeyService;
import dev.portcullis.auth.apikey.Argon2Hasher;
import dev.portcullis.auth.apikey.InMemoryApiKeyStore;
import dev.portcullis.auth.conformance.RawHttp;
import dev.portcullis.policy.AccessPolicy;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What only a servlet container can get wrong, on Jetty 12 and Tomcat 11: the registry in a context of its own
 * ({@code /app}), where a URI that reaches the context without beginning with its path as written (Jetty picks the
 * context by the decoded, normalised path) is refused, never decided as a path outside the registry API; request
 * parameters, which the application gets from the query string only, as the policy saw them; and the caller, as an
 * asynchronous servlet's asynchronous part sees it.
 */
class ContainerBehaviourTest {
    private final Portcullis portcullis = Portcullis.builder().policy(AccessPolicy.parse("""
            repo "**" {
              anonymous: read
            }
            """)).existence((repo, tag) -> false).listener(e -> { }).build();
    /** Anyone may push: the parameter tests pass their uploads on to the application. */
    private final Portcullis open = Portcullis.builder().policy(AccessPolicy.parse("""
            repo "**" {
              anonymous: read, create
            }
            """)).existence((repo, tag) -> false).listener(e -> { }).build();

    /** Answers with the request parameters {@code mount} and {@code from} as the application sees them. */
    private static final class ParameterServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String seen = "mount=" + req.getParameter("mount") + " from=" + req.getParameter("from") + " names=" + req.getParameterMap().keySet();
            resp.getOutputStream().write(seen.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void jettyInAContextOfItsOwn() throws Exception {
        try (Containers.Running jetty = Containers.jetty(portcullis, "/app", new EchoRegistryServlet(portcullis))) {
            int port = jetty.port();
            assertDecidedWithinTheContext(port);
            assertThat(RawHttp.send(port, "PUT", "/%61pp/v2/team/app/manifests/x").status()).as("the context path percent-encoded").isEqualTo(400);
            assertThat(RawHttp.send(port, "PUT", "/%2561pp/v2/team/app/manifests/x").status()).as("encoded twice: no such context").isBetween(400, 499);
        }
    }

    @Test
    void tomcatInAContextOfItsOwn() throws Exception {
        try (Containers.Running tomcat = Containers.tomcat(portcullis, "/app", new EchoRegistryServlet(portcullis))) {
            int port = tomcat.port();
            assertDecidedWithinTheContext(port);
            // Tomcat reports the context path as written, so the filter sees the path the application sees
            assertThat(RawHttp.send(port, "PUT", "/%61pp/v2/team/app/manifests/x").status()).as("the context path percent-encoded").isEqualTo(401);
        }
    }

    private static void assertDecidedWithinTheContext(int port) throws Exception {
        RawHttp.Response read = RawHttp.send(port, "GET", "/app/v2/team/app/manifests/x");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body()).startsWith("user=anonymous");
        assertThat(RawHttp.send(port, "PUT", "/app/v2/team/app/manifests/x").status()).isEqualTo(401);
        for (String elsewhere : List.of("/x/../app/v2/team/app/manifests/x", "/app/./v2/team/app/manifests/x", "/app//v2/team/app/manifests/x")) {
            assertThat(RawHttp.send(port, "PUT", elsewhere).status()).as(elsewhere).isBetween(400, 499);
        }
    }

    /** Answers from its asynchronous part, on another thread, with the caller as that part sees it. */
    private static final class AsyncServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) {
            AsyncContext async = req.startAsync();
            async.start(() -> {
                HttpServletRequest later = (HttpServletRequest) async.getRequest();
                try {
                    later.getInputStream().readAllBytes();
                    async.getResponse().getOutputStream().write(("user=" + later.getRemoteUser() + " type=" + later.getAuthType()
                            + " role=" + later.isUserInRole("artifact-workloads") + " from=" + later.getParameter("from"))
                            .getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } finally {
                    async.complete();
                }
            });
        }
    }

    @Test
    void theAsynchronousPartSeesTheCallerOnJetty() throws Exception {
        try (Containers.Running jetty = Containers.jetty(withKeys(), "/", new AsyncServlet())) {
            assertTheAsynchronousPartSeesTheCaller(jetty.port());
        }
    }

    @Test
    void theAsynchronousPartSeesTheCallerOnTomcat() throws Exception {
        try (Containers.Running tomcat = Containers.tomcat(withKeys(), "/", new AsyncServlet())) {
            assertTheAsynchronousPartSeesTheCaller(tomcat.port());
        }
    }

    private String ciKey;

    private Portcullis withKeys() {
        ApiKeyService keys = ApiKeyService.builder(new InMemoryApiKeyStore()).hasher(new Argon2Hasher(256, 1, 1)).build();
        ciKey = keys.create(new ApiKeyService.KeyRequest("ci", List.of("artifact-workloads"), "", List.of(), null, "test")).token();
        return Portcullis.builder().policy(AccessPolicy.parse("""
                repo "**" {
                  group artifact-workloads: read, create
                }
                """)).apiKeys(keys).existence((repo, tag) -> false).listener(e -> { }).build();
    }

    private void assertTheAsynchronousPartSeesTheCaller(int port) throws Exception {
        String basic = "Authorization: Basic " + Base64.getEncoder().encodeToString(("ci:" + ciKey).getBytes(StandardCharsets.UTF_8));
        RawHttp.Response r = RawHttp.send(port, "POST", "/v2/team/app/blobs/uploads/",
                List.of(basic, "Content-Type: application/x-www-form-urlencoded"), "from=infra/dns".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("user=ci type=PORTCULLIS_API_KEY role=true from=null");
    }

    /** Ahead of Portcullis: wraps the response and records who set which status on it, from which thread. */
    private static final class StatusRecorder implements Filter {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            chain.doFilter(req, new HttpServletResponseWrapper((HttpServletResponse) res) {
                @Override
                public void setStatus(int sc) {
                    seen.add(sc + " on " + Thread.currentThread().getName());
                    super.setStatus(sc);
                }
            });
        }
    }

    @Test
    void aDelayedRefusalIsWrittenByTheContainerThroughTheFiltersBeforeItOnJetty() throws Exception {
        StatusRecorder recorder = new StatusRecorder();
        try (Containers.Running jetty = Containers.jetty(delayed(), "/", new EchoRegistryServlet(portcullis), recorder)) {
            assertDelayedRefusal(jetty.port(), recorder);
        }
    }

    @Test
    void aDelayedRefusalIsWrittenByTheContainerThroughTheFiltersBeforeItOnTomcat() throws Exception {
        StatusRecorder recorder = new StatusRecorder();
        try (Containers.Running tomcat = Containers.tomcat(delayed(), "/", new EchoRegistryServlet(portcullis), recorder)) {
            assertDelayedRefusal(tomcat.port(), recorder);
        }
    }

    private static Portcullis delayed() {
        return Portcullis.builder().policy(AccessPolicy.parse("""
                repo "**" {
                  anonymous: read
                }
                """)).failDelay(Duration.ofMillis(50)).existence((repo, tag) -> false).listener(e -> { }).build();
    }

    /**
     * The 401 for bad credentials, held back by {@code failDelay}, reaches the filter before Portcullis (which a
     * response it wrapped would otherwise miss) and is written by a container thread: the delay's one thread, shared by
     * every delayed answer, never waits on a client's socket.
     */
    private static void assertDelayedRefusal(int port, StatusRecorder recorder) throws Exception {
        RawHttp.Response r = RawHttp.send(port, "GET", "/v2/team/app/manifests/x", "Authorization: Basic " + Base64.getEncoder()
                .encodeToString("ci:wrong".getBytes(StandardCharsets.UTF_8)));
        assertThat(r.status()).isEqualTo(401);
        assertThat(recorder.seen).hasSize(1);
        assertThat(recorder.seen.get(0)).startsWith("401 on ").doesNotContain("portcullis-fail-delay");
    }

    @Test
    void theApplicationsParametersAreTheQuerysOnJetty() throws Exception {
        try (Containers.Running jetty = Containers.jetty(open, "/", new ParameterServlet())) {
            assertParametersAreTheQuerys(jetty.port());
        }
    }

    @Test
    void theApplicationsParametersAreTheQuerysOnTomcat() throws Exception {
        try (Containers.Running tomcat = Containers.tomcat(open, "/", new ParameterServlet())) {
            assertParametersAreTheQuerys(tomcat.port());
        }
    }

    private static void assertParametersAreTheQuerys(int port) throws Exception {
        // a GET is passed on anonymously: the parameters of its query, decoded as the pipeline decodes them
        RawHttp.Response query = RawHttp.send(port, "GET", "/v2/team/app/blobs/sha256:abc?mount=sha256%3Aabc&from=team/other+x");
        assertThat(query.status()).isEqualTo(200);
        assertThat(query.body()).isEqualTo("mount=sha256:abc from=team/other x names=[mount, from]");
        // a form-encoded body (curl --data-binary sends that content type) adds none: the policy never saw them (Tomcat
        // merges a POST's, Jetty a POST's and a PUT's)
        for (String target : List.of("POST /v2/team/app/blobs/uploads/?mount=sha256:abc", "PUT /v2/team/app/blobs/uploads/u1?mount=sha256:abc")) {
            String[] methodAndTarget = target.split(" ");
            RawHttp.Response form = RawHttp.send(port, methodAndTarget[0], methodAndTarget[1],
                    List.of("Content-Type: application/x-www-form-urlencoded"), "from=infra/dns".getBytes(StandardCharsets.ISO_8859_1));
            assertThat(form.status()).as(target).isEqualTo(200);
            assertThat(form.body()).as(target).isEqualTo("mount=sha256:abc from=null names=[mount]");
        }
    }
}
