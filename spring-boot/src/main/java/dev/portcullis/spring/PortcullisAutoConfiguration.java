package dev.portcullis.spring;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.PortcullisMetrics;
import dev.portcullis.auth.routes.ExistenceLookup;
import dev.portcullis.auth.routes.RouteResolver;
import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.DispatcherType;
import java.util.Objects;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.io.ResourceLoader;

/**
 * Portcullis in a Spring Boot servlet application, when {@code portcullis.config} names a zot {@code config.json}
 * ({@link PortcullisProperties}): a {@link Portcullis} bean built from it, and its {@link PortcullisFilter}, registered
 * just before Spring Security's filter chain, on every request, with async support.
 *
 * <p>The {@code Portcullis} bean is the configuration's pipeline builder, then the {@link ExistenceLookup} bean and the
 * {@link RouteResolver} bean if there are any, then every {@link PortcullisBuilderCustomizer} bean in their order, then
 * built; closing the application context closes it (its key store with it). Declare a {@code Portcullis} bean of your
 * own, or a {@code FilterRegistrationBean<PortcullisFilter>}, and the one here backs off.
 *
 * <p>On embedded Tomcat, its connectors answer {@code Expect: 100-continue} when the application reads the body
 * ({@code continueResponseTiming="onRead"}), not before any filter runs (Tomcat's default): a client that may not push
 * is refused before it sends its blob.
 *
 * <pre>{@code
 * # application.properties
 * portcullis.config=file:/etc/registry/config.json
 *
 * @Bean
 * ExistenceLookup tags(Storage storage) {
 *     return (repository, tag) -> storage.tagExists(repository, tag); // tells a create from an update
 * }
 * }</pre>
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(PortcullisFilter.class)
@ConditionalOnProperty(prefix = "portcullis", name = "config")
@EnableConfigurationProperties(PortcullisProperties.class)
public class PortcullisAutoConfiguration {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PortcullisAutoConfiguration.class);

    /** Created by Spring Boot when the conditions above hold. */
    public PortcullisAutoConfiguration() {
    }

    /**
     * The pipeline that {@code portcullis.config} configures, adjusted by the application's beans.
     *
     * @param properties {@code portcullis.*}
     * @param resources reads a {@code classpath:} or URL location
     * @param existence the application's tag (or file) lookup, if it has one: it tells a create from an update
     * @param routes the application's routes, if it has some; else the configuration's (OCI distribution routes)
     * @param customizers the application's changes to the builder, applied last, in order
     * @return the pipeline; the application context closes it
     * @throws PortcullisConfigException when {@code portcullis.config} is empty, missing, unreadable or wrong, naming
     *     the property, the location and the problem
     * @throws IllegalStateException when the settings contradict each other, such as a policy that grants create
     *     without update and no {@link ExistenceLookup} bean
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public Portcullis portcullis(PortcullisProperties properties, ResourceLoader resources, ObjectProvider<ExistenceLookup> existence,
            ObjectProvider<RouteResolver> routes, ObjectProvider<PortcullisBuilderCustomizer> customizers) {
        // the application's beans first: the configuration opens its key store, which a failure here would leave open
        ExistenceLookup lookup = existence.getIfAvailable();
        RouteResolver resolver = routes.getIfAvailable();
        Portcullis.Builder builder = ConfigLocation.builder(Objects.requireNonNullElse(properties.config(), ""), resources);
        if (lookup != null) {
            builder.existence(lookup);
        }
        if (resolver != null) {
            builder.routes(resolver);
        }
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        try {
            return builder.build();
        } catch (IllegalStateException e) {
            if (lookup == null && String.valueOf(e.getMessage()).contains("ExistenceLookup")) {
                throw new IllegalStateException(e.getMessage() + ". In a Spring Boot application, declare a bean of type "
                        + ExistenceLookup.class.getName() + " (or set one in a PortcullisBuilderCustomizer)", e);
            }
            throw e;
        }
    }

    /**
     * The servlet filter, registered before Spring Security's filter chain ({@code portcullis.filter-order}), on
     * {@code portcullis.url-patterns}, with async support, so that a refusal held back by {@code failDelay} holds no
     * request thread.
     *
     * <p>For {@link DispatcherType#REQUEST} dispatches only. A request is decided once, when it arrives; its
     * asynchronous part (a controller's {@code Callable} or {@code DeferredResult}) sees the caller it was decided for,
     * since the filter's request carries it into {@code startAsync}. Decided again on the {@code ASYNC} dispatch, a
     * create-only push whose controller had just stored the tag would be refused as an update after it was stored, and
     * credentials would be verified and audited twice; an {@code ERROR} dispatch renders the answer to a request
     * already decided.
     *
     * @param portcullis the pipeline
     * @param properties the filter's order and URL patterns
     * @return the registration; the servlet container initialises and destroys the filter
     */
    @Bean
    @ConditionalOnMissingBean(value = PortcullisFilter.class, parameterizedContainer = FilterRegistrationBean.class)
    public FilterRegistrationBean<PortcullisFilter> portcullisFilter(Portcullis portcullis, PortcullisProperties properties) {
        FilterRegistrationBean<PortcullisFilter> registration = new FilterRegistrationBean<>(new PortcullisFilter(portcullis));
        registration.setName("portcullis");
        registration.setAsyncSupported(true);
        registration.setOrder(properties.filterOrder());
        registration.setUrlPatterns(properties.urlPatterns());
        registration.setDispatcherTypes(DispatcherType.REQUEST);
        LOG.debug("Portcullis filter at order {} on {}", properties.filterOrder(), properties.urlPatterns());
        return registration;
    }

    /**
     * Portcullis's meters ({@link PortcullisMetrics}) as a {@code MeterBinder} bean when Micrometer is on the class
     * path: Spring Boot Actuator binds every such bean to its meter registries.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean
        PortcullisMetrics portcullisMetrics(Portcullis portcullis) {
            return new PortcullisMetrics(portcullis);
        }
    }

    /** Tomcat's {@code 100 Continue} only when the body is read: after Portcullis allowed the request. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.apache.catalina.startup.Tomcat")
    static class TomcatContinueOnRead {
        @Bean
        ContinueOnRead portcullisTomcatContinueOnRead() {
            return new ContinueOnRead();
        }
    }

    /**
     * Sets {@code continueResponseTiming="onRead"} on Tomcat's connectors. Tomcat's default, {@code immediately}, invites
     * the body before any filter runs: a client that may not push sends its blob before the 401 (the conformance suite
     * checks this on every adapter). Order 0, so that an application's own customizer (unordered: last) can change it.
     */
    static final class ContinueOnRead implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {
        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addConnectorCustomizers(connector -> connector.setProperty("continueResponseTiming", "onRead"));
        }

        @Override
        public int getOrder() {
            return 0;
        }
    }
}
