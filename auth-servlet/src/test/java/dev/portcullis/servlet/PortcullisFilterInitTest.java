package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portcullis.auth.routes.ExistenceLookup;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filter's start from {@code web.xml}, on a servlet context that holds only the attribute under test. */
class PortcullisFilterInitTest {
    @TempDir
    Path dir;

    @Test
    void anExistenceAttributeOfAnotherTypeStopsTheStart() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"http\": {\"accessControl\": {\"repositories\": {\"**\": {\"anonymousPolicy\": [\"read\"]}}}}}");
        ServletContext context = (ServletContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServletContext.class},
                (proxy, method, args) -> method.getName().equals("getAttribute") && PortcullisFilter.EXISTENCE_ATTRIBUTE.equals(args[0])
                        ? "tags.db" : null);
        FilterConfig filterConfig = new FilterConfig() {
            @Override
            public String getFilterName() {
                return "portcullis";
            }

            @Override
            public ServletContext getServletContext() {
                return context;
            }

            @Override
            public String getInitParameter(String name) {
                return name.equals("config") ? config.toString() : null;
            }

            @Override
            public Enumeration<String> getInitParameterNames() {
                return Collections.enumeration(java.util.List.of("config"));
            }
        };
        assertThatThrownBy(() -> new PortcullisFilter().init(filterConfig)).isInstanceOf(ServletException.class)
                .hasMessage("PortcullisFilter: the servlet-context attribute " + PortcullisFilter.EXISTENCE_ATTRIBUTE + " is a java.lang.String,"
                        + " not a " + ExistenceLookup.class.getName());
    }

    @Test
    void theRoutesInitParamSaysWhatItAccepts() {
        assertThatThrownBy(() -> PortcullisFilter.routes("gradle")).isInstanceOf(ServletException.class)
                .hasMessage("PortcullisFilter: the init-param 'routes' is 'gradle'; write oci, maven:/PREFIX (e.g. maven:/maven) or"
                        + " paths:TEMPLATE (e.g. paths:/files/{repo:2}/**)");
        assertThatThrownBy(() -> PortcullisFilter.routes("maven:maven")).isInstanceOf(ServletException.class)
                .hasMessageStartingWith("PortcullisFilter: the init-param 'routes' (maven:maven): ");
    }
}
