package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.portcullis.auth.conformance.RawHttp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A web application that is not an OCI registry, declared in web.xml alone: its routes come from the init-param
 * {@code routes}, its configuration from {@code /WEB-INF/}. Before, such a WAR passed anonymous PUT and DELETE outside
 * {@code /v2/} to the application unchecked.
 */
class WebXmlRoutesTest {
    @TempDir
    Path dir;
    private Tomcat tomcat;
    private Context context;
    private int port;

    private void deploy(String routesParam, String actions) throws Exception {
        Path webInf = Files.createDirectories(dir.resolve("webapp/WEB-INF"));
        Files.writeString(webInf.resolve("htpasswd"), "ops:" + BCrypt.withDefaults().hashToString(4, "ops-password".toCharArray()) + "\n");
        Files.writeString(webInf.resolve("config.json"), """
                {
                  "http": {
                    "auth": { "htpasswd": { "path": "htpasswd" } },
                    "accessControl": {
                      "repositories": { "**": { "anonymousPolicy": ["read"], "policies": [{ "users": ["ops"], "actions": %s }] } }
                    }
                  },
                  "portcullis": { "dataDirectory": "state" }
                }
                """.formatted(actions));
        Files.writeString(webInf.resolve("web.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                  <filter>
                    <filter-name>portcullis</filter-name>
                    <filter-class>dev.portcullis.servlet.PortcullisFilter</filter-class>
                    <async-supported>true</async-supported>
                    <init-param><param-name>config</param-name><param-value>/WEB-INF/config.json</param-value></init-param>
                    %s
                  </filter>
                  <filter-mapping>
                    <filter-name>portcullis</filter-name>
                    <url-pattern>/*</url-pattern>
                  </filter-mapping>
                  <servlet>
                    <servlet-name>files</servlet-name>
                    <servlet-class>dev.portcullis.servlet.WebXmlDeploymentTest$RegistryServlet</servlet-class>
                    <async-supported>true</async-supported>
                  </servlet>
                  <servlet-mapping>
                    <servlet-name>files</servlet-name>
                    <url-pattern>/</url-pattern>
                  </servlet-mapping>
                </web-app>
                """.formatted(routesParam.isEmpty() ? ""
                : "<init-param><param-name>routes</param-name><param-value>" + routesParam + "</param-value></init-param>"));
        tomcat = new Tomcat();
        tomcat.setBaseDir(dir.resolve("tomcat").toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        context = tomcat.addWebapp("", dir.resolve("webapp").toString());
        tomcat.start();
        port = connector.getLocalPort();
    }

    @AfterEach
    void undeploy() throws Exception {
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    private static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aGenericStoreChoosesItsRoutesAndFindsItsConfigurationInWebInf() throws Exception {
        deploy("paths:/files/{repo:1}/**", "[\"create\", \"update\", \"delete\"]");
        assertThat(RawHttp.send(port, "GET", "/files/team/report.pdf").status()).isEqualTo(200);
        RawHttp.Response put = RawHttp.send(port, "PUT", "/files/team/report.pdf");
        assertThat(put.status()).as("an anonymous write is checked, not passed on").isEqualTo(401);
        assertThat(RawHttp.send(port, "DELETE", "/files/team/report.pdf").status()).isEqualTo(401);
        RawHttp.Response ops = RawHttp.send(port, "PUT", "/files/team/report.pdf", basic("ops", "ops-password"));
        assertThat(ops.status()).isEqualTo(201);
        assertThat(ops.body()).startsWith("user=ops");
    }

    @Test
    void mavenRepositoriesUnderAPrefix() throws Exception {
        deploy("maven:/maven", "[\"create\", \"update\"]");
        assertThat(RawHttp.send(port, "PUT", "/maven/releases/org/acme/app/1.0/app-1.0.jar").status()).isEqualTo(401);
        assertThat(RawHttp.send(port, "PUT", "/maven/releases/org/acme/app/1.0/app-1.0.jar", basic("ops", "ops-password")).status())
                .isEqualTo(201);
    }

    @Test
    void aPolicyThatNeedsAnExistenceLookupWithoutOneStopsTheDeployment() throws Exception {
        deploy("maven:/maven", "[\"create\"]");
        assertThat(context.getState()).as("the filter's init refused: no servlet-context attribute for the lookup")
                .isNotEqualTo(LifecycleState.STARTED);
        assertThat(RawHttp.send(port, "PUT", "/maven/releases/org/acme/app/1.0/app-1.0.jar").status()).isNotIn(200, 201);
    }

    @Test
    void anUnknownRoutesValueStopsTheDeployment() throws Exception {
        deploy("gradle", "[\"create\", \"update\"]");
        assertThat(context.getState()).isNotEqualTo(LifecycleState.STARTED);
    }
}
