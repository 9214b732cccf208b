package dev.portcullis.spring;

import dev.portcullis.auth.Portcullis;

/**
 * Changes the pipeline that the auto-configuration builds from {@code portcullis.config}, after the configuration file,
 * the {@link dev.portcullis.auth.routes.ExistenceLookup} bean and the {@link dev.portcullis.auth.routes.RouteResolver}
 * bean were applied, and before {@link Portcullis.Builder#build()}. Every customizer bean is called, in the order of
 * their {@link org.springframework.core.annotation.Order @Order} or {@link org.springframework.core.Ordered}, so a later
 * one overrides what an earlier one set.
 *
 * <pre>{@code
 * @Bean
 * PortcullisBuilderCustomizer mavenRoutes() {
 *     return builder -> builder.routes(MavenRoutes.under("/maven"));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface PortcullisBuilderCustomizer {
    /**
     * Changes the builder: routes, the existence lookup, an authenticator or endpoint of your own, the audit listener.
     * Called once, while the {@code Portcullis} bean is created.
     *
     * @param builder the builder as the configuration file set it up; build nothing from it, the auto-configuration
     *     builds it after the last customizer
     */
    void customize(Portcullis.Builder builder);
}
