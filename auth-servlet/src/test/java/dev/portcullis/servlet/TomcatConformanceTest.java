package dev.portcullis.servlet;

import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.HttpConformanceSuite;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Override
    protected void stop() throws Exception {
        tomcat.stop();
        tomcat.destroy();
    }
}
