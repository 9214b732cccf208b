package dev.portcullis.servlet;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.LiveReloadChecks;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** zot's live reload behind the servlet filter, on Jetty and Tomcat. */
class LiveReloadTest {
    @TempDir
    Path dir;

    @Test
    void jettySwitchesToTheNewPolicyAndFinishesARequestUnderWayByTheOld() throws Exception {
        try (Portcullis portcullis = LiveReloadChecks.load(LiveReloadChecks.writeConfig(dir, true));
             Containers.Running jetty = Containers.jetty(portcullis, "/", new EchoRegistryServlet(portcullis))) {
            LiveReloadChecks.check(jetty.port(), dir, portcullis);
        }
    }

    @Test
    void tomcatSwitchesToTheNewPolicyAndFinishesARequestUnderWayByTheOld() throws Exception {
        try (Portcullis portcullis = LiveReloadChecks.load(LiveReloadChecks.writeConfig(dir, true));
             Containers.Running tomcat = Containers.tomcat(portcullis, "/", new EchoRegistryServlet(portcullis))) {
            LiveReloadChecks.check(tomcat.port(), dir, portcullis);
        }
    }
}
