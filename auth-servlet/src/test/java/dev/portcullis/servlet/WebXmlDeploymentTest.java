package dev.portcullis.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portcullis.auth.conformance.RawHttp;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An operator's deployment: a webapp directory whose WEB-INF/web.xml declares the filter and a zot config file. */
class WebXmlDeploymentTest {
    @TempDir
    Path dir;
    private Tomcat tomcat;
    private int port;

    /** The webapp's own servlet, declared in web.xml. */
    public static final class RegistryServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setStatus(req.getMethod().equals("PUT") ? 201 : 200);
            resp.getWriter().print("user=" + (req.getRemoteUser() == null ? "anonymous" : req.getRemoteUser())
                    + " admin=" + req.isUserInRole("admins") + " auth=" + req.getAuthType());
        }
    }

    /** What a web.xml application does to give Portcullis its tag lookup. */
    public static final class TagLookupInstaller implements jakarta.servlet.ServletContextListener {
        @Override
        public void contextInitialized(jakarta.servlet.ServletContextEvent event) {
            event.getServletContext().setAttribute(PortcullisFilter.EXISTENCE_ATTRIBUTE,
                    (dev.portcullis.auth.routes.ExistenceLookup) (repository, tag) -> tag.equals("existing"));
        }
    }

    @BeforeEach
    void deploy() throws Exception {
        Files.writeString(dir.resolve("htpasswd"), "ops:" + BCrypt.withDefaults().hashToString(4, "ops-password".toCharArray()) + "\n");
        Files.writeString(dir.resolve("config.json"), """
                {
                  "distSpecVersion": "1.1.0",
                  "storage": { "rootDirectory": "/var/lib/registry" },
                  "http": {
                    "address": "127.0.0.1", "port": "5000", "realm": "operators",
                    "auth": { "htpasswd": { "path": "htpasswd" }, "apikey": true },
                    "accessControl": {
                      "groups": { "admins": { "users": ["ops"] } },
                      "repositories": { "**": { "anonymousPolicy": ["read"], "policies": [{ "users": ["ops"], "actions": ["create"] }] } },
                      "adminPolicy": { "groups": ["admins"], "actions": ["read", "delete"] }
                    }
                  },
                  "portcullis": { "dataDirectory": "state" }
                }
                """);
        Path webapp = Files.createDirectories(dir.resolve("webapp/WEB-INF"));
        Files.writeString(webapp.resolve("web.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                  <listener>
                    <listener-class>dev.portcullis.servlet.WebXmlDeploymentTest$TagLookupInstaller</listener-class>
                  </listener>
                  <filter>
                    <filter-name>portcullis</filter-name>
                    <filter-class>dev.portcullis.servlet.PortcullisFilter</filter-class>
                    <async-supported>true</async-supported>
                    <init-param>
                      <param-name>config</param-name>
                      <param-value>%s</param-value>
                    </init-param>
                  </filter>
                  <filter-mapping>
                    <filter-name>portcullis</filter-name>
                    <url-pattern>/*</url-pattern>
                  </filter-mapping>
                  <servlet>
                    <servlet-name>registry</servlet-name>
                    <servlet-class>dev.portcullis.servlet.WebXmlDeploymentTest$RegistryServlet</servlet-class>
                    <async-supported>true</async-supported>
                  </servlet>
                  <servlet-mapping>
                    <servlet-name>registry</servlet-name>
                    <url-pattern>/</url-pattern>
                  </servlet-mapping>
                </web-app>
                """.formatted(dir.resolve("config.json")));
        tomcat = new Tomcat();
        tomcat.setBaseDir(dir.resolve("tomcat").toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("continueResponseTiming", "onRead"); // 100 Continue only when the body is read: after an allow
        tomcat.setConnector(connector);
        tomcat.addWebapp("", dir.resolve("webapp").toString());
        tomcat.start();
        port = connector.getLocalPort();
    }

    @AfterEach
    void undeploy() throws Exception {
        tomcat.stop();
        tomcat.destroy();
    }

    private static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theFilterDeclaredInWebXmlProtectsTheApplication() throws Exception {
        assertThat(RawHttp.send(port, "GET", "/v2/team/app/manifests/latest").body()).isEqualTo("user=anonymous admin=false auth=null");
        RawHttp.Response denied = RawHttp.send(port, "PUT", "/v2/team/app/manifests/v1");
        assertThat(denied.status()).isEqualTo(401);
        assertThat(denied.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"http://127.0.0.1:" + port + "/auth/token\",service=\"operators\",scope=\"repository:team/app:pull,push\"");
        RawHttp.Response admin = RawHttp.send(port, "PUT", "/v2/team/app/manifests/v1", basic("ops", "ops-password"));
        assertThat(admin.status()).isEqualTo(201);
        assertThat(admin.body()).as("ops is in the config's group admins").isEqualTo("user=ops admin=true auth=BASIC");
        assertThat(RawHttp.send(port, "PUT", "/v2/team/app/manifests/existing", basic("ops", "ops-password")).status())
                .as("the application's tag lookup says 'existing' exists: update, which ops may not").isEqualTo(403);

        RawHttp.Response created = RawHttp.send(port, "POST", "/auth/apikey", List.of(basic("ops", "ops-password")),
                "{\"label\": \"ci\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(created.status()).isEqualTo(201);
        String token = new ObjectMapper().readTree(created.body()).get("apiKey").asText();
        RawHttp.Response withKey = RawHttp.send(port, "PUT", "/v2/team/app/manifests/v2", "Authorization: Bearer " + token);
        assertThat(withKey.status()).isEqualTo(201);
        assertThat(withKey.body()).isEqualTo("user=ops admin=true auth=PORTCULLIS_API_KEY");
        assertThat(dir.resolve("state/keys.db")).exists();
    }
}
