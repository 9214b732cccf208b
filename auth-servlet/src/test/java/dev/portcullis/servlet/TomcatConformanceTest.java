package dev.portcullis.servlet;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.HttpConformanceSuite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

/** The conformance suite on embedded Tomcat 11. */
class TomcatConformanceTest extends HttpConformanceSuite {
    private Tomcat tomcat;
    private Path base;

    @Override
    protected int start(Portcullis portcullis) throws Exception {
        base = Files.createTempDirectory("tomcat");
        tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setProperty("continueResponseTiming", "onRead"); // 100 Continue only when the body is read: after an allow
        // let the filter, not the connector, judge encoded slashes and backslashes
        connector.setEncodedSolidusHandling("passthrough");
        connector.setProperty("allowBackslash", "false");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base.toString());
        FilterDef def = new FilterDef();
        def.setFilterName("portcullis");
        def.setFilter(new PortcullisFilter(portcullis));
        def.setAsyncSupported("true");
        context.addFilterDef(def);
        FilterMap map = new FilterMap();
        map.setFilterName("portcullis");
        map.addURLPattern("/*");
        context.addFilterMap(map);
        Wrapper servlet = Tomcat.addServlet(context, "registry", new EchoRegistryServlet(portcullis));
        servlet.setAsyncSupported(true);
        context.addServletMappingDecoded("/", "registry");
        tomcat.start();
        return connector.getLocalPort();
    }

    /**
     * Tomcat 11 refuses these itself, before the filter runs. A request with both Content-Length
     * and chunked encoding is read as chunked and answered, then the connection is closed, so what
     * hides behind it is never read (RFC 9112 6.1). Tomcat unfolds obs-fold, as RFC 9112 allows.
     */
    @Override
    protected Map<String, Integer> containerAnswers() {
        return Map.of("bare-cr", 400, "oversize-header", 400, "oversize-uri", 400, "nul", 400, "cl-te", 200);
    }

    @Override
    protected void stop() throws Exception {
        tomcat.stop();
        tomcat.destroy();
    }
}
