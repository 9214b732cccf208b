/**
 * Spring Boot auto-configuration for Portcullis: with {@code portcullis.config} set in a servlet web application, a
 * {@link dev.portcullis.auth.Portcullis} bean built from that zot {@code config.json} and its
 * {@link dev.portcullis.servlet.PortcullisFilter}, registered just before Spring Security's filter chain. Beans of type
 * {@link dev.portcullis.auth.routes.ExistenceLookup}, {@link dev.portcullis.auth.routes.RouteResolver} and
 * {@link dev.portcullis.spring.PortcullisBuilderCustomizer} adjust the pipeline before it is built.
 */
@NullMarked
package dev.portcullis.spring;

import org.jspecify.annotations.NullMarked;
