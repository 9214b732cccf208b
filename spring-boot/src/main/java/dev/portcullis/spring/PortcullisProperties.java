package dev.portcullis.spring;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code portcullis.*} properties of a Spring Boot application.
 *
 * <pre>{@code
 * portcullis.config=file:/etc/registry/config.json
 * portcullis.filter-order=-101
 * portcullis.url-patterns=/*
 * }</pre>
 *
 * @param config Where the zot config.json is: a file path (/etc/registry/config.json), a file: URL, or another Spring
 *     resource location (classpath:registry.json). Relative paths in a file's configuration (the htpasswd file, the key
 *     store, the data directory) are relative to that file's directory, as in zot; in a classpath: or other resource,
 *     which has no directory, to the working directory. Without it, Portcullis is not set up.
 * @param filterOrder Order of the Portcullis servlet filter. By default -101, just before Spring Security's filter
 *     chain (-100), so that Portcullis decides registry requests before Spring Security sees them.
 * @param urlPatterns Servlet URL patterns the Portcullis filter is mapped to. By default /*, every request: its routes
 *     decide what is protected and what passes.
 */
@ConfigurationProperties("portcullis")
public record PortcullisProperties(
        @Nullable String config,
        @DefaultValue("-101") int filterOrder,
        @DefaultValue("/*") List<String> urlPatterns) {

    /**
     * The filter's default order, -101: one before Spring Security's filter chain, whose default order
     * ({@code SecurityProperties.DEFAULT_FILTER_ORDER}, {@code spring.security.filter.order}) is -100. A literal, so that
     * this module does not depend on Spring Security.
     */
    public static final int DEFAULT_FILTER_ORDER = -101;

    /**
     * The properties as bound, checked.
     *
     * @param config the location of the zot config.json, or null when {@code portcullis.config} is not set
     * @param filterOrder the filter's order among the servlet filters, lowest first
     * @param urlPatterns the servlet URL patterns the filter is mapped to, at least one
     * @throws IllegalArgumentException when {@code urlPatterns} is empty: the filter would then be mapped to nothing
     */
    public PortcullisProperties {
        if (urlPatterns.isEmpty()) {
            throw new IllegalArgumentException("portcullis.url-patterns is empty; leave it out for /* (every request), or list"
                    + " servlet URL patterns such as /v2/*");
        }
        urlPatterns = List.copyOf(urlPatterns);
    }
}
