package dev.portcullis.spring;

import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome.WriteCondition;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.EchoApplication;
import dev.portcullis.auth.conformance.HttpConformanceSuite;
import dev.portcullis.auth.conformance.Tags;
import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The adapters' HTTP conformance suite against a Spring Boot application: Boot's embedded Tomcat (10.1) with Boot's
 * own filters, the filter as this auto-configuration registers it, and the suite's pipeline as the application's own
 * {@code Portcullis} bean (the configuration file named by {@code portcullis.config} is then not read). The suite's
 * application is a servlet on {@code /*}. Boot's defaults otherwise, its FormContentFilter included (what it does to a
 * form-encoded PUT is {@link PortcullisAutoConfigurationTest}'s).
 */
class SpringBootConformanceTest extends HttpConformanceSuite {
    private ConfigurableApplicationContext app;

    /** The suite's application as a servlet: echoes who Portcullis let through. */
    static final class EchoServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient EchoApplication application;

        EchoServlet(EchoApplication application) {
            this.application = application;
        }

        @Override
        @SuppressWarnings("unchecked")
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            Set<String> denied = (Set<String>) req.getAttribute(PortcullisFilter.DENIED_MOUNTS_ATTRIBUTE);
            List<WriteCondition> conditions = (List<WriteCondition>) req.getAttribute(PortcullisFilter.WRITE_CONDITIONS_ATTRIBUTE);
            EchoApplication.Answer a = application.answer(req.getMethod(), req.getRequestURI(), (Identity) req.getAttribute(PortcullisFilter.IDENTITY_ATTRIBUTE),
                    req.getRemoteUser(), denied == null ? Set.of() : denied, conditions == null ? List.of() : conditions, req.getInputStream().readAllBytes());
            if (a.refusal().isPresent()) {
                PortcullisFilter.write(resp, a.refusal().get());
                return;
            }
            resp.setStatus(a.status());
            resp.setContentType(a.contentType());
            resp.setContentLength(a.body().length);
            resp.getOutputStream().write(a.body());
        }
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class EchoRegistry {
        @Bean
        ServletRegistrationBean<EchoServlet> echo(Portcullis portcullis, Tags tags) {
            ServletRegistrationBean<EchoServlet> registration = new ServletRegistrationBean<>(new EchoServlet(new EchoApplication(portcullis, tags)), "/*");
            registration.setAsyncSupported(true);
            return registration;
        }
    }

    @Override
    protected int start(Portcullis portcullis) {
        app = new SpringApplicationBuilder(EchoRegistry.class)
                .properties(Map.of("server.address", "127.0.0.1", "server.port", "0", "spring.main.banner-mode", "off",
                        "spring.main.log-startup-info", "false", "spring.autoconfigure.exclude", TestApps.WITHOUT_SPRING_SECURITY,
                        "portcullis.config", "the application's own Portcullis bean: not read"))
                .initializers(context -> {
                    context.getBeanFactory().registerSingleton("portcullis", portcullis);
                    context.getBeanFactory().registerSingleton("tags", tags());
                })
                .run();
        return TestApps.port(app);
    }

    @Override
    protected void stop() {
        app.close();
    }

    /**
     * Tomcat refuses these itself, before the filter runs, as Tomcat 11 does (see auth-servlet's TomcatConformanceTest).
     */
    @Override
    protected Map<String, Integer> containerAnswers() {
        return Map.of("bare-cr", 400, "oversize-header", 400, "oversize-uri", 400, "nul", 400, "cl-te", 200);
    }
}
