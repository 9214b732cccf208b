package dev.portcullis.spring;

import static dev.portcullis.spring.TestApps.basic;
import static dev.portcullis.spring.TestApps.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * With Micrometer on the class path, the application gets Portcullis's meters as a MeterBinder bean, which Actuator
 * binds by itself: the application's own metrics endpoint shows the decisions made over HTTP.
 */
class MetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void actuatorShowsTheDecisionsMadeOverHttpWithNothingWiredByHand() throws Exception {
        try (ConfigurableApplicationContext app = TestApps.start(RegistryApplication.class, Map.of("portcullis.config",
                "classpath:registry.json", "management.endpoints.web.exposure.include", "metrics"))) {
            int port = TestApps.port(app);
            assertThat(send(port, "GET", "/v2/team/app/manifests/latest").statusCode()).isEqualTo(200);
            assertThat(send(port, "PUT", "/v2/team/app/manifests/m1").statusCode()).isEqualTo(401);
            assertThat(send(port, "PUT", "/v2/team/app/manifests/m1", basic("ci", "ci-password")).statusCode()).isEqualTo(201);

            // Portcullis's routes protect only /v2/: the actuator's paths are the application's (and Spring Security's) to guard
            assertThat(count(port, "portcullis.decisions?tag=outcome:allowed&tag=granted.by:anonymous")).isEqualTo(1);
            assertThat(count(port, "portcullis.decisions?tag=outcome:challenged&tag=granted.by:none"))
                    .as("the policy refused the anonymous push").isEqualTo(1);
            assertThat(count(port, "portcullis.decisions?tag=outcome:allowed&tag=granted.by:user")).isEqualTo(1);
            assertThat(count(port, "portcullis.authentications?tag=method:htpasswd")).isEqualTo(1);
            assertThat(count(port, "portcullis.limiter.trips?tag=limiter:failures")).isZero();
            assertThat(send(port, "GET", "/actuator/metrics/portcullis.idp.requests").statusCode()).isEqualTo(200);
        }
    }

    /** The COUNT statistic of a meter, through Actuator's metrics endpoint. */
    private static double count(int port, String meterAndTags) throws Exception {
        var response = send(port, "GET", "/actuator/metrics/" + meterAndTags);
        assertThat(response.statusCode()).as(meterAndTags).isEqualTo(200);
        for (JsonNode m : JSON.readTree(response.body()).get("measurements")) {
            if (m.get("statistic").asText().equals("COUNT")) {
                return m.get("value").asDouble();
            }
        }
        throw new AssertionError(meterAndTags + " has no COUNT: " + response.body());
    }
}
