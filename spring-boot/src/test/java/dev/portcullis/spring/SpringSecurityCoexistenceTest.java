package dev.portcullis.spring;

import static dev.portcullis.spring.TestApps.basic;
import static dev.portcullis.spring.TestApps.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portcullis.auth.Identity;
import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import java.net.http.HttpResponse;
import java.security.Principal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.catalina.Context;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Portcullis beside Spring Security: its filter runs first (order -101 against Spring Security's -100) and decides the
 * registry's requests; Spring Security guards the application's own paths. Three applications: one whose filter chain
 * matches only its own paths ({@code securityMatcher("/admin/**")}, the recommended shape); one whose single chain
 * covers everything and permits the registry's paths; and one such chain with HTTP Basic, which refuses Portcullis's
 * users.
 */
class SpringSecurityCoexistenceTest {
    private static ConfigurableApplicationContext separate;
    private static ConfigurableApplicationContext permitting;
    private static ConfigurableApplicationContext basicEverywhere;
    private static final List<String> seenBySpringSecurity = new CopyOnWriteArrayList<>();

    @RestController
    static class AdminController {
        @GetMapping("/admin/status")
        String status(Principal principal) {
            return "admin page for " + principal.getName();
        }
    }

    static UserDetailsService adminUsers() {
        return new InMemoryUserDetailsManager(User.withUsername("admin").password("{noop}admin-password").roles("ADMIN").build());
    }

    /** Spring Security's chain matches {@code /admin/**} only: registry requests never enter it. */
    @Configuration(proxyBeanMethods = false)
    @Import({RegistryApplication.class, AdminController.class})
    static class SeparateChains {
        @Bean
        SecurityFilterChain adminPages(HttpSecurity http) throws Exception {
            return http.securityMatcher("/admin/**")
                    .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                    .httpBasic(Customizer.withDefaults())
                    .build();
        }

        @Bean
        UserDetailsService users() {
            return adminUsers();
        }
    }

    /**
     * One chain for everything: the registry's paths permitted (and without CSRF tokens, which registry clients do not
     * send), the rest behind a form login. A filter inside the chain records who Portcullis had let through.
     */
    @Configuration(proxyBeanMethods = false)
    @Import({RegistryApplication.class, AdminController.class})
    static class OneChainPermittingTheRegistry {
        @Bean
        SecurityFilterChain everything(HttpSecurity http) throws Exception {
            Filter recorder = (request, response, chain) -> {
                Identity identity = (Identity) request.getAttribute(PortcullisFilter.IDENTITY_ATTRIBUTE);
                seenBySpringSecurity.add(((HttpServletRequest) request).getMethod() + " " + ((HttpServletRequest) request).getRequestURI()
                        + " identity=" + (identity == null ? "none" : identity.name()));
                chain.doFilter(request, response);
            };
            return http.authorizeHttpRequests(requests -> requests.requestMatchers("/v2/**").permitAll().anyRequest().authenticated())
                    .csrf(csrf -> csrf.ignoringRequestMatchers("/v2/**"))
                    .formLogin(Customizer.withDefaults())
                    .addFilterBefore(recorder, AuthorizationFilter.class)
                    .build();
        }

        @Bean
        UserDetailsService users() {
            return adminUsers();
        }
    }

    /**
     * What goes wrong: one chain with HTTP Basic for everything. Spring Security's Basic filter checks every
     * {@code Authorization: Basic} header against its own users, permitted paths included, so it refuses the credentials
     * Portcullis has just accepted.
     */
    @Configuration(proxyBeanMethods = false)
    @Import({RegistryApplication.class, AdminController.class})
    static class OneChainWithHttpBasic {
        @Bean
        SecurityFilterChain everything(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(requests -> requests.requestMatchers("/v2/**").permitAll().anyRequest().authenticated())
                    .csrf(csrf -> csrf.ignoringRequestMatchers("/v2/**"))
                    .httpBasic(Customizer.withDefaults())
                    .build();
        }

        @Bean
        UserDetailsService users() {
            return adminUsers();
        }
    }

    @BeforeAll
    static void start() {
        Map<String, Object> properties = Map.of("portcullis.config", "classpath:registry.json", "spring.autoconfigure.exclude", "");
        separate = TestApps.start(SeparateChains.class, properties);
        permitting = TestApps.start(OneChainPermittingTheRegistry.class, properties);
        basicEverywhere = TestApps.start(OneChainWithHttpBasic.class, properties);
    }

    @AfterAll
    static void stop() {
        separate.close();
        permitting.close();
        basicEverywhere.close();
    }

    private static List<String> filterOrder(ConfigurableApplicationContext app) {
        Context context = (Context) ((TomcatWebServer) ((ServletWebServerApplicationContext) app).getWebServer()).getTomcat().getHost()
                .findChildren()[0];
        return Arrays.stream(context.findFilterMaps()).map(FilterMap::getFilterName).toList();
    }

    @Test
    void portcullisRunsJustBeforeSpringSecurity() {
        for (ConfigurableApplicationContext app : List.of(separate, permitting)) {
            List<String> order = filterOrder(app);
            assertThat(order.indexOf("springSecurityFilterChain")).as(order.toString()).isEqualTo(order.indexOf("portcullis") + 1);
        }
    }

    @Test
    void withSeparateChainsPortcullisAloneDecidesTheRegistry() throws Exception {
        int port = TestApps.port(separate);
        assertThat(send(port, "GET", "/v2/team/app/manifests/latest").statusCode()).isEqualTo(200);
        HttpResponse<String> anonymous = send(port, "PUT", "/v2/team/app/manifests/separate");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().allValues("WWW-Authenticate")).as("Portcullis's challenge, not Spring Security's")
                .containsExactly("Bearer realm=\"http://127.0.0.1:" + port + "/auth/token\",service=\"spring-registry\",scope=\"repository:team/app:pull,push\"");
        HttpResponse<String> ci = send(port, "PUT", "/v2/team/app/manifests/separate", basic("ci", "ci-password"));
        assertThat(ci.statusCode()).isEqualTo(201);
        assertThat(ci.body()).as("no Spring Security request wrapper between Portcullis and the controller")
                .isEqualTo("principal=ci identity=ci auth=BASIC");
    }

    @Test
    void springSecurityStillGuardsTheApplicationsOwnPaths() throws Exception {
        int port = TestApps.port(separate);
        HttpResponse<String> anonymous = send(port, "GET", "/admin/status");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().allValues("WWW-Authenticate")).containsExactly("Basic realm=\"Realm\"");
        HttpResponse<String> admin = send(port, "GET", "/admin/status", basic("admin", "admin-password"));
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(admin.body()).isEqualTo("admin page for admin");
        assertThat(send(port, "GET", "/admin/status", basic("ci", "ci-password")).statusCode()).as("htpasswd users are Portcullis's")
                .isEqualTo(401);
    }

    @Test
    void withOneChainPermittingTheRegistryPortcullisDecidesFirstAndSpringSecurityAddsNo401() throws Exception {
        int port = TestApps.port(permitting);
        HttpResponse<String> anonymous = send(port, "PUT", "/v2/team/app/manifests/permitted");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"http://127.0.0.1:" + port + "/auth/token\",service=\"spring-registry\",scope=\"repository:team/app:pull,push\"");
        assertThat(seenBySpringSecurity).as("refused before Spring Security's chain").noneMatch(s -> s.contains("/manifests/permitted"));

        HttpResponse<String> ci = send(port, "PUT", "/v2/team/app/manifests/permitted", basic("ci", "ci-password"));
        assertThat(ci.statusCode()).as(ci.body()).isEqualTo(201);
        assertThat(seenBySpringSecurity).as("Spring Security's chain ran after Portcullis").contains("PUT /v2/team/app/manifests/permitted identity=ci");
        // Spring Security's request wrapper answers the principal from its own (anonymous) authentication: the
        // controller finds Portcullis's caller in the request attribute, not in getUserPrincipal()
        assertThat(ci.body()).isEqualTo("principal=none identity=ci auth=BASIC");

        HttpResponse<String> admin = send(port, "GET", "/admin/status");
        assertThat(admin.statusCode()).as("the rest still needs Spring Security's login").isEqualTo(302);
    }

    @Test
    void springSecuritysHttpBasicOnTheRegistrysPathsRefusesPortcullissUsers() throws Exception {
        int port = TestApps.port(basicEverywhere);
        HttpResponse<String> ci = send(port, "PUT", "/v2/team/app/manifests/basic", basic("ci", "ci-password"));
        assertThat(ci.statusCode()).isEqualTo(401);
        assertThat(ci.headers().allValues("WWW-Authenticate")).as("Spring Security's challenge").containsExactly("Basic realm=\"Realm\"");
        assertThat(basicEverywhere.getBean(RegistryApplication.Tags.class).exists("team/app", "basic")).isFalse();
        assertThat(send(port, "GET", "/v2/team/app/manifests/latest").statusCode()).as("without credentials it passes").isEqualTo(200);
    }
}
