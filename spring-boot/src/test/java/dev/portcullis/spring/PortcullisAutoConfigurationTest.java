package dev.portcullis.spring;

import static dev.portcullis.spring.TestApps.basic;
import static dev.portcullis.spring.TestApps.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.policy.Action;
import dev.portcullis.policy.Subject;
import dev.portcullis.servlet.PortcullisFilter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The auto-configuration in a real Spring Boot application on embedded Tomcat, over HTTP. Its configuration is
 * {@code classpath:registry.json}: anyone may pull, {@code ci} may push new tags (create, not update), {@code ops} is an
 * admin, and a failed login is answered after {@code failDelay} (1 s). A class path resource has no directory, so the
 * htpasswd path inside it, {@code src/test/resources/htpasswd}, is relative to the working directory (the module's, under
 * Maven).
 */
class PortcullisAutoConfigurationTest {
    private static ConfigurableApplicationContext app;
    private static int port;

    @BeforeAll
    static void start() {
        // Boot's defaults, and its filter that takes a POST's method from a form field (off by default)
        app = TestApps.start(RegistryApplication.class, Map.of("portcullis.config", "classpath:registry.json",
                "spring.mvc.hiddenmethod.filter.enabled", "true"));
        port = TestApps.port(app);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void anonymousPullIsAllowed() throws Exception {
        HttpResponse<String> pull = send(port, "GET", "/v2/team/app/manifests/latest");
        assertThat(pull.statusCode()).isEqualTo(200);
        assertThat(pull.body()).isEqualTo("principal=none identity=none auth=null");
    }

    @Test
    void anonymousPushIsRefusedWithAChallenge() throws Exception {
        HttpResponse<String> push = send(port, "PUT", "/v2/team/app/manifests/anonymous");
        assertThat(push.statusCode()).isEqualTo(401);
        assertThat(push.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"http://127.0.0.1:" + port + "/auth/token\",service=\"spring-registry\",scope=\"repository:team/app:pull,push\"");
        assertThat(push.body()).contains("UNAUTHORIZED");
        assertThat(app.getBean(RegistryApplication.Tags.class).exists("team/app", "anonymous")).as("the controller never ran").isFalse();
    }

    @Test
    void aWrongPasswordIsRefusedAfterTheFailDelay() throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> push = send(port, "PUT", "/v2/team/app/manifests/wrong", basic("ci", "not-the-password"));
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertThat(push.statusCode()).isEqualTo(401);
        assertThat(push.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"http://127.0.0.1:" + port + "/auth/token\",service=\"spring-registry\",scope=\"repository:team/app:pull,push\"");
        assertThat(millis).as("failDelay: 1 s, answered from the filter's asynchronous part").isGreaterThanOrEqualTo(950);
        HttpResponse<String> pull = send(port, "GET", "/v2/team/app/manifests/latest", basic("ci", "not-the-password"));
        assertThat(pull.statusCode()).as("bad credentials are never anonymous, also where anonymous may read").isEqualTo(401);
    }

    @Test
    void theUsersPushReachesTheControllerWhichSeesTheCaller() throws Exception {
        HttpResponse<String> push = send(port, "PUT", "/v2/team/app/manifests/1.0", basic("ci", "ci-password"));
        assertThat(push.statusCode()).isEqualTo(201);
        assertThat(push.body()).isEqualTo("principal=ci identity=ci auth=BASIC");

        HttpResponse<String> again = send(port, "PUT", "/v2/team/app/manifests/1.0", basic("ci", "ci-password"));
        assertThat(again.statusCode()).as("the ExistenceLookup bean says the tag exists: an update, which ci may not").isEqualTo(403);
        assertThat(again.body()).contains("DENIED");
        HttpResponse<String> admin = send(port, "PUT", "/v2/team/app/manifests/1.0", basic("ops", "ops-password"));
        assertThat(admin.statusCode()).isEqualTo(201);
        assertThat(admin.body()).isEqualTo("principal=ops identity=ops auth=BASIC");
    }

    @Test
    void pathsOutsideTheRegistryApiPass() throws Exception {
        HttpResponse<String> hello = send(port, "GET", "/hello");
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.body()).isEqualTo("hello principal=none identity=none auth=null");
    }

    @Test
    void anAsynchronousControllerIsDecidedOnceAndSeesTheCaller() throws Exception {
        String path = "/v2/team/async/manifests/2.0";
        HttpResponse<String> push = send(port, "PUT", path, basic("ci", "ci-password"));
        assertThat(push.statusCode()).as(push.body()).isEqualTo(201);
        assertThat(push.body()).isEqualTo("principal=ci identity=ci auth=BASIC elsewhere=true");
        // decided again on the ASYNC dispatch, after the Callable stored the tag, ci's create would be an update: 403
        assertThat(app.getBean(RegistryApplication.Decisions.class).about(path)).as("decisions about " + path).isEqualTo(1);

        HttpResponse<String> again = send(port, "PUT", path, basic("ci", "ci-password"));
        assertThat(again.statusCode()).isEqualTo(403);
    }

    @Test
    void thePortcullisBeanIsInjectable() {
        Portcullis portcullis = app.getBean(Portcullis.class);
        assertThat(portcullis.policy().isAdmin(Subject.user("ops"))).as("the configuration's accessControl").isTrue();
        assertThat(portcullis.policy().decide(Subject.anonymous(), "team/app", Action.READ).allowed()).isTrue();
        assertThat(portcullis.filterCatalog(null, List.of("team/app", "infra/dns"))).containsExactly("team/app", "infra/dns");
    }

    @Test
    void theFilterIsRegisteredOnEveryRequestWithAsyncSupportBeforeSpringSecuritysPlace() {
        FilterRegistrationBean<?> registration = app.getBean("portcullisFilter", FilterRegistrationBean.class);
        assertThat(registration.getFilter()).isInstanceOf(PortcullisFilter.class);
        assertThat(registration.getOrder()).isEqualTo(PortcullisProperties.DEFAULT_FILTER_ORDER).isEqualTo(-101);
        assertThat(registration.isAsyncSupported()).isTrue();

        // what Tomcat got, in the order it calls the filters
        Context context = (Context) ((TomcatWebServer) ((ServletWebServerApplicationContext) app).getWebServer()).getTomcat().getHost()
                .findChildren()[0];
        FilterMap[] maps = context.findFilterMaps();
        List<String> order = Arrays.stream(maps).map(FilterMap::getFilterName).toList();
        assertThat(order).containsSubsequence("characterEncodingFilter", "hiddenHttpMethodFilter", "formContentFilter", "requestContextFilter", "portcullis");
        FilterMap portcullis = Arrays.stream(maps).filter(m -> m.getFilterName().equals("portcullis")).findFirst().orElseThrow();
        assertThat(portcullis.getURLPatterns()).containsExactly("/*");
        assertThat(portcullis.getDispatcherNames()).containsExactly("REQUEST");
        assertThat(context.findFilterDef("portcullis").getAsyncSupported()).isEqualTo("true");
    }

    @Test
    void aPushThatMayNotHappenIsRefusedBeforeTomcatInvitesItsBody() throws Exception {
        assertThat(TestApps.firstStatusLine(port, """
                PUT /v2/team/app/blobs/uploads/x HTTP/1.1
                Host: 127.0.0.1
                Expect: 100-continue
                Content-Type: application/octet-stream
                Content-Length: 1048576

                """)).as("continueResponseTiming=onRead: Tomcat's default answers 100 before any filter runs").isEqualTo("HTTP/1.1 401 ");
        assertThat(TestApps.firstStatusLine(port, """
                PUT /v2/team/app/blobs/uploads/x HTTP/1.1
                Host: 127.0.0.1
                Authorization: %s
                Expect: 100-continue
                Content-Length: 5

                """.formatted(basic("ci", "ci-password")))).as("allowed: the controller reads the body").isEqualTo("HTTP/1.1 100 ");
    }

    /**
     * Spring's FormContentFilter (order -9900, on by default) reads a form-encoded PUT, PATCH or DELETE body before any
     * filter after it, Portcullis included: such a body is invited and read before the request is decided. A registry
     * turns it off ({@code spring.mvc.formcontent.filter.enabled=false}, see {@link CustomizerTest}).
     */
    @Test
    void bootsFormContentFilterReadsAFormEncodedPushBeforePortcullisDecides() throws Exception {
        assertThat(TestApps.firstStatusLine(port, """
                PUT /v2/team/app/manifests/form HTTP/1.1
                Host: 127.0.0.1
                Expect: 100-continue
                Content-Type: application/x-www-form-urlencoded
                Content-Length: 5

                """)).isEqualTo("HTTP/1.1 100 ");
    }

    /**
     * Portcullis runs after Boot's filters that wrap the request, so it decides what the controller gets: a POST that
     * Spring's HiddenHttpMethodFilter turns into a DELETE is decided as a DELETE.
     */
    @Test
    void portcullisDecidesTheMethodTheControllerSees() throws Exception {
        HttpResponse<String> delete = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/v2/team/app/manifests/1.0")).header("Authorization", basic("ci", "ci-password"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("_method=DELETE")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(delete.statusCode()).isEqualTo(403);
        assertThat(delete.body()).contains("user 'ci' may not delete 'team/app'");
    }
}
