package dev.portcullis.spring;

import static dev.portcullis.spring.TestApps.basic;
import static dev.portcullis.spring.TestApps.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.AuthEventListener;
import dev.portcullis.auth.routes.ExistenceLookup;
import dev.portcullis.auth.routes.MavenRoutes;
import dev.portcullis.auth.routes.OciDistributionRoutes;
import dev.portcullis.auth.routes.RouteResolver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The beans of the README's Spring Boot section and of docs/spring-boot.md, word for word, each in an application that
 * runs on embedded Tomcat with {@code classpath:registry.json} (anyone reads, ci reads and creates, the admins' ops
 * does everything) and answers over HTTP as the pages say.
 */
class DocumentedBeansTest {
    /** The application's storage, reduced to what Portcullis asks it: whether a tag exists. */
    record Storage(Set<String> tags) {
        boolean tagExists(String repository, String tag) {
            return tags.contains(repository + ":" + tag);
        }
    }

    /** A registry that stores nothing: 201 to a PUT, 200 otherwise, saying who it saw. */
    @RestController
    static class Registry {
        @RequestMapping({"/v2/**", "/maven/**", "/actuator/prometheus"})
        ResponseEntity<String> serve(HttpServletRequest request) throws IOException {
            request.getInputStream().readAllBytes();
            return ResponseEntity.status(request.getMethod().equals("PUT") ? 201 : 200).body(RegistryApplication.who(request));
        }
    }

    /** The tag lookup as the page writes it; the storage holds {@code team/app:1.0}. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(Registry.class)
    static class WithExistenceLookup {
        @Bean
        Storage storage() {
            return new Storage(Set.of("team/app:1.0"));
        }

        @Bean
        ExistenceLookup tags(Storage storage) {
            return (repository, tag) -> storage.tagExists(repository, tag);   // create vs update
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Import(WithExistenceLookup.class)
    static class WithMavenRoutes {
        @Bean
        PortcullisBuilderCustomizer mavenRoutes() {
            return builder -> builder.routes(MavenRoutes.under("/maven"));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Import({WithExistenceLookup.class, SpringSecurityCoexistenceTest.AdminController.class})
    static class WithAdminPages {
        @Bean
        SecurityFilterChain adminPages(HttpSecurity http) throws Exception {
            return http.securityMatcher("/admin/**", "/login", "/logout")
                    .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                    .formLogin(Customizer.withDefaults())
                    .build();
        }

        @Bean
        UserDetailsService users() {
            return SpringSecurityCoexistenceTest.adminUsers();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Import(WithExistenceLookup.class)
    static class WithMetricsRoute {
        @Bean
        RouteResolver routes() {
            return new OciDistributionRoutes("/actuator/prometheus");
        }
    }

    @Configuration(proxyBeanMethods = false)
    @Import(WithExistenceLookup.class)
    static class WithDecisionMetrics {
        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

        @Bean
        PortcullisBuilderCustomizer decisionMetrics(MeterRegistry registry) {
            AuthEventListener audit = AuthEventListener.slf4j();
            return builder -> builder.listener(event -> {
                audit.onDecision(event);
                registry.counter("portcullis.decisions", "kind", event.kind().name().toLowerCase(Locale.ROOT)).increment();
            });
        }
    }

    private static ConfigurableApplicationContext start(Class<?> application, Map<String, Object> properties) {
        Map<String, Object> all = new java.util.HashMap<>(Map.of("portcullis.config", "classpath:registry.json"));
        all.putAll(properties);
        return TestApps.start(application, all);
    }

    @Test
    void theExistenceLookupBeanTellsACreateFromAnUpdate() throws Exception {
        try (ConfigurableApplicationContext app = start(WithExistenceLookup.class, Map.of())) {
            int port = TestApps.port(app);
            assertThat(send(port, "GET", "/v2/team/app/manifests/1.0").statusCode()).isEqualTo(200);
            HttpResponse<String> created = send(port, "PUT", "/v2/team/app/manifests/2.0", basic("ci", "ci-password"));
            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(created.body()).isEqualTo("principal=ci identity=ci auth=BASIC");
            assertThat(send(port, "PUT", "/v2/team/app/manifests/1.0", basic("ci", "ci-password")).statusCode())
                    .as("1.0 exists: an update, which ci may not do").isEqualTo(403);
        }
    }

    @Test
    void theCustomizerBeanPutsTheRegistryUnderMavenRoutes() throws Exception {
        try (ConfigurableApplicationContext app = start(WithMavenRoutes.class, Map.of("spring.mvc.formcontent.filter.enabled", "false"))) {
            int port = TestApps.port(app);
            String jar = "/maven/releases/org/acme/app/1.0/app-1.0.jar";
            assertThat(send(port, "GET", jar).statusCode()).isEqualTo(200);
            assertThat(send(port, "PUT", jar).statusCode()).isEqualTo(401);
            assertThat(send(port, "PUT", jar, basic("ci", "ci-password")).statusCode()).isEqualTo(201);
            assertThat(send(port, "PUT", "/v2/team/app/manifests/1.0").statusCode()).as("OCI paths are not the routes' any more").isEqualTo(201);
        }
    }

    @Test
    void theAdminPagesChainLeavesTheRegistryToPortcullis() throws Exception {
        try (ConfigurableApplicationContext app = start(WithAdminPages.class, Map.of("spring.autoconfigure.exclude", ""))) {
            int port = TestApps.port(app);
            HttpResponse<String> page = send(port, "GET", "/admin/status");
            assertThat(page.statusCode()).as("Spring Security's form login").isEqualTo(302);
            assertThat(page.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
            assertThat(send(port, "GET", "/login").body()).contains("<form");
            HttpResponse<String> anonymousPush = send(port, "PUT", "/v2/team/app/manifests/2.0");
            assertThat(anonymousPush.statusCode()).isEqualTo(401);
            assertThat(anonymousPush.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"http://127.0.0.1:" + port + "/auth/token\",service=\"spring-registry\",scope=\"repository:team/app:pull,push\"");
            HttpResponse<String> push = send(port, "PUT", "/v2/team/app/manifests/2.0", basic("ci", "ci-password"));
            assertThat(push.statusCode()).isEqualTo(201);
            assertThat(push.body()).as("no Spring Security request wrapper").isEqualTo("principal=ci identity=ci auth=BASIC");
        }
    }

    @Test
    void theRouteResolverBeanPutsThePrometheusEndpointUnderTheMetricsRule() throws Exception {
        try (ConfigurableApplicationContext app = start(WithMetricsRoute.class, Map.of())) {
            int port = TestApps.port(app);
            assertThat(send(port, "GET", "/actuator/prometheus").statusCode()).as("registry.json has no metrics rule: nobody may read")
                    .isEqualTo(401);
            assertThat(send(port, "GET", "/actuator/prometheus", basic("ci", "ci-password")).statusCode()).isEqualTo(403);
            assertThat(send(port, "PUT", "/v2/team/app/manifests/2.0").statusCode()).as("the registry is still checked").isEqualTo(401);
        }
    }

    @Test
    void theListenerCountsDecisionsAndKeepsTheAuditLog() throws Exception {
        try (ConfigurableApplicationContext app = start(WithDecisionMetrics.class, Map.of())) {
            int port = TestApps.port(app);
            send(port, "GET", "/v2/team/app/manifests/1.0");
            send(port, "PUT", "/v2/team/app/manifests/2.0");
            send(port, "PUT", "/v2/team/app/manifests/1.0", basic("ci", "ci-password"));
            MeterRegistry registry = app.getBean(MeterRegistry.class);
            assertThat(registry.counter("portcullis.decisions", "kind", "allowed").count()).isEqualTo(1);
            assertThat(registry.counter("portcullis.decisions", "kind", "challenged").count()).isEqualTo(1);
            assertThat(registry.counter("portcullis.decisions", "kind", "denied").count()).isEqualTo(1);
        }
    }
}
