package dev.portcullis.spring;

import static dev.portcullis.spring.TestApps.basic;
import static dev.portcullis.spring.TestApps.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.routes.MavenRoutes;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Customizer beans, applied in their {@code @Order}: the first sets Maven routes under {@code /maven} and a realm, the
 * second overrides the realm. The application runs as a registry should: Spring's FormContentFilter turned off.
 */
class CustomizerTest {
    private static ConfigurableApplicationContext app;
    private static int port;

    @Configuration(proxyBeanMethods = false)
    @Import({RegistryApplication.class, MavenRepositoryApplication.MavenController.class})
    static class MavenRepositoryApplication {
        @Bean
        @Order(1)
        PortcullisBuilderCustomizer mavenRoutes() {
            return builder -> builder.routes(MavenRoutes.under("/maven")).realm("first");
        }

        @Bean
        @Order(2)
        PortcullisBuilderCustomizer laterRealm() {
            return builder -> builder.realm("maven");
        }

        /** Stores nothing: answers who it saw. */
        @RestController
        static class MavenController {
            @RequestMapping("/maven/**")
            org.springframework.http.ResponseEntity<String> file(jakarta.servlet.http.HttpServletRequest request) {
                return org.springframework.http.ResponseEntity.status(request.getMethod().equals("PUT") ? 201 : 200)
                        .body(RegistryApplication.who(request));
            }
        }
    }

    @BeforeAll
    static void start() {
        app = TestApps.start(MavenRepositoryApplication.class, Map.of("portcullis.config", "classpath:registry.json",
                "spring.mvc.formcontent.filter.enabled", "false"));
        port = TestApps.port(app);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void theCustomizersRoutesApply() throws Exception {
        String jar = "/maven/releases/org/acme/app/1.0/app-1.0.jar";
        assertThat(send(port, "GET", jar).statusCode()).isEqualTo(200);
        HttpResponse<String> anonymous = send(port, "PUT", jar);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        HttpResponse<String> ci = send(port, "PUT", jar, basic("ci", "ci-password"));
        assertThat(ci.statusCode()).isEqualTo(201);
        assertThat(ci.body()).isEqualTo("principal=ci identity=ci auth=BASIC");
        assertThat(send(port, "PUT", "/maven/releases/org/acme/app/1.0/not-this-artifact.jar", basic("ci", "ci-password")).statusCode())
                .as("outside Maven's layout").isEqualTo(400);
        assertThat(send(port, "PUT", "/v2/team/app/manifests/1.0").statusCode()).as("OCI paths are no longer the registry's: they pass")
                .isEqualTo(201);
    }

    @Test
    void customizersApplyInTheirOrder() throws Exception {
        HttpResponse<String> anonymous = send(port, "PUT", "/maven/releases/org/acme/app/1.0/app-1.0.pom");
        assertThat(anonymous.headers().allValues("WWW-Authenticate")).containsExactly("Basic realm=\"maven\"");
    }

    @Test
    void withoutBootsFormContentFilterAFormEncodedPushIsRefusedBeforeItsBodyIsRead() throws Exception {
        assertThat(TestApps.firstStatusLine(port, """
                PUT /maven/releases/org/acme/app/1.0/app-1.0.jar HTTP/1.1
                Host: 127.0.0.1
                Expect: 100-continue
                Content-Type: application/x-www-form-urlencoded
                Content-Length: 5

                """)).isEqualTo("HTTP/1.1 401 ");
    }
}
