package dev.portcullis.spring;

import static dev.portcullis.spring.TestApps.basic;
import static dev.portcullis.spring.TestApps.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.PortcullisMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** With Micrometer on the class path, the application gets Portcullis's meters as a MeterBinder bean. */
class MetricsTest {
    @Test
    void theMeterBinderBeanCountsTheDecisionsMadeOverHttp() throws Exception {
        try (ConfigurableApplicationContext app = TestApps.start(RegistryApplication.class,
                Map.of("portcullis.config", "classpath:registry.json"))) {
            int port = TestApps.port(app);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            app.getBean(PortcullisMetrics.class).bindTo(registry); // what Actuator does with every MeterBinder bean
            assertThat(send(port, "GET", "/v2/team/app/manifests/latest").statusCode()).isEqualTo(200);
            assertThat(send(port, "PUT", "/v2/team/app/manifests/m1").statusCode()).isEqualTo(401);
            assertThat(send(port, "PUT", "/v2/team/app/manifests/m1", basic("ci", "ci-password")).statusCode()).isEqualTo(201);

            assertThat(registry.get("portcullis.decisions").tag("outcome", "allowed").tag("granted.by", "anonymous")
                    .functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("portcullis.decisions").tag("outcome", "challenged").tag("granted.by", "none")
                    .functionCounter().count()).as("the policy refused the anonymous push").isEqualTo(1);
            assertThat(registry.get("portcullis.decisions").tag("outcome", "allowed").tag("granted.by", "user")
                    .functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("portcullis.authentications").tag("method", "htpasswd").functionCounter().count())
                    .isEqualTo(1);
            assertThat(registry.get("portcullis.idp.requests").tag("call", "token").tag("outcome", "error").functionTimer()
                    .count()).isZero();
        }
    }
}
