package dev.portcullis.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.policy.AccessPolicy;
import dev.portcullis.servlet.PortcullisFilter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** When the auto-configuration applies, and how a start fails when {@code portcullis.config} does not lead to a pipeline. */
class StartupTest {
    @TempDir
    Path dir;

    /** The exception that stopped the start, and Spring Boot's report of it. */
    private record Failure(Throwable thrown, PortcullisConfigException cause, FailureAnalysis analysis) {
    }

    private static Failure failedStart(Class<?> application, Map<String, Object> properties) {
        Throwable thrown = catchThrowable(() -> TestApps.start(application, properties).close());
        assertThat(thrown).as("the start failed").isNotNull();
        Throwable t = thrown;
        while (t != null && !(t instanceof PortcullisConfigException)) {
            t = t.getCause();
        }
        assertThat(t).as("a PortcullisConfigException in %s", thrown).isNotNull();
        PortcullisConfigException cause = (PortcullisConfigException) t;
        return new Failure(thrown, cause, new PortcullisConfigFailureAnalyzer().analyze(thrown));
    }

    @Test
    void aMissingConfigurationFileStopsTheStartNamingThePropertyAndTheFile() {
        Path missing = dir.resolve("config.json");
        Failure failure = failedStart(RegistryApplication.class, Map.of("portcullis.config", "file:" + missing));
        assertThat(failure.cause().getMessage()).startsWith("portcullis.config=file:" + missing + ": ")
                .contains(missing + ": cannot read the configuration").contains("NoSuchFileException");
        assertThat(failure.analysis().getDescription()).startsWith("Portcullis could not be set up from portcullis.config=file:" + missing);
        assertThat(failure.analysis().getAction()).contains("Point portcullis.config at a readable zot config.json");

        Failure plainPath = failedStart(RegistryApplication.class, Map.of("portcullis.config", missing.toString()));
        assertThat(plainPath.cause().getMessage()).startsWith("portcullis.config=" + missing + ": " + missing + ": cannot read the configuration");
    }

    @Test
    void aMissingClassPathResourceStopsTheStart() {
        Failure failure = failedStart(RegistryApplication.class, Map.of("portcullis.config", "classpath:no-such-config.json"));
        assertThat(failure.cause().getMessage()).startsWith("portcullis.config=classpath:no-such-config.json: cannot read the configuration:")
                .contains("no-such-config.json");
    }

    @Test
    void malformedJsonStopsTheStartNamingThePropertyAndWhere() {
        Failure failure = failedStart(RegistryApplication.class, Map.of("portcullis.config", "classpath:malformed.json"));
        assertThat(failure.cause().getMessage()).startsWith("portcullis.config=classpath:malformed.json: malformed JSON at line ");
    }

    @Test
    void anEmptyValueStopsTheStart() {
        Failure failure = failedStart(RegistryApplication.class, Map.of("portcullis.config", ""));
        assertThat(failure.cause().getMessage()).startsWith("portcullis.config=: no location given; set it to the zot config.json to use");
    }

    /** The web application without an {@code ExistenceLookup} bean. */
    @Configuration(proxyBeanMethods = false)
    @org.springframework.boot.autoconfigure.EnableAutoConfiguration
    @Import(RegistryApplication.RegistryController.class)
    static class WithoutTagLookup {
        @Bean
        RegistryApplication.Tags tags() {
            return new RegistryApplication.Tags();
        }
    }

    @Test
    void aPolicyThatTellsCreateFromUpdateNeedsAnExistenceLookupBean() {
        Throwable thrown = catchThrowable(() -> TestApps.start(WithoutTagLookup.class, Map.of("portcullis.config", "classpath:registry.json")).close());
        assertThat(thrown).hasStackTraceContaining("the policy grants create without update")
                .hasStackTraceContaining("In a Spring Boot application, declare a bean of type dev.portcullis.auth.routes.ExistenceLookup");
    }

    @Test
    void withoutPortcullisConfigNothingIsRegistered() throws Exception {
        try (ConfigurableApplicationContext app = TestApps.start(RegistryApplication.class, Map.of())) {
            assertThat(app.getBeanNamesForType(Portcullis.class)).isEmpty();
            assertThat(app.getBeanProvider(PortcullisProperties.class).getIfAvailable()).isNull();
            assertThat(app.getBeansOfType(FilterRegistrationBean.class).values()).noneMatch(r -> r.getFilter() instanceof PortcullisFilter);
            HttpResponse<String> push = TestApps.send(TestApps.port(app), "PUT", "/v2/team/app/manifests/1.0");
            assertThat(push.statusCode()).as("no filter: the controller answers").isEqualTo(201);
            assertThat(push.body()).isEqualTo("principal=none identity=none auth=null");
        }
    }

    @Test
    void notInAServletWebApplication() {
        try (ConfigurableApplicationContext app = TestApps.start(RegistryApplication.class, Map.of("portcullis.config", "classpath:registry.json",
                "spring.main.web-application-type", "none"))) {
            assertThat(app.getBeanNamesForType(Portcullis.class)).isEmpty();
        }
    }

    /** An application that builds its own pipeline: anyone may push. */
    @Configuration(proxyBeanMethods = false)
    @Import(RegistryApplication.class)
    static class OwnPipeline {
        @Bean(destroyMethod = "close")
        Portcullis ownPortcullis() {
            return Portcullis.builder().policy(AccessPolicy.parse("""
                    repo "**" {
                      anonymous: read, create, update
                    }
                    """)).build();
        }
    }

    @Test
    void anApplicationsOwnPortcullisBeanIsTheFiltersAndTheFileIsNotRead() throws Exception {
        try (ConfigurableApplicationContext app = TestApps.start(OwnPipeline.class, Map.of("portcullis.config", "file:" + dir.resolve("never-read.json")))) {
            assertThat(app.getBeanNamesForType(Portcullis.class)).containsExactly("ownPortcullis");
            int port = TestApps.port(app);
            assertThat(TestApps.send(port, "PUT", "/v2/team/app/manifests/1.0").statusCode()).isEqualTo(201);
            assertThat(TestApps.send(port, "DELETE", "/v2/team/app/manifests/1.0").statusCode()).as("the own policy has no delete").isEqualTo(401);
        }
    }
}
