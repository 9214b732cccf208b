package dev.portcullis.servlet;

import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome.WriteCondition;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.conformance.EchoApplication;
import dev.portcullis.auth.conformance.Tags;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/** The conformance suite's application ({@link EchoApplication}) as a servlet: echoes who Portcullis let through. */
public class EchoRegistryServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient EchoApplication application;

    public EchoRegistryServlet(Portcullis portcullis) {
        this(portcullis, new Tags());
    }

    public EchoRegistryServlet(Portcullis portcullis, Tags tags) {
        this.application = new EchoApplication(portcullis, tags);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Set<String> denied = (Set<String>) req.getAttribute(PortcullisFilter.DENIED_MOUNTS_ATTRIBUTE);
        List<WriteCondition> conditions = (List<WriteCondition>) req.getAttribute(PortcullisFilter.WRITE_CONDITIONS_ATTRIBUTE);
        EchoApplication.Answer a = application.answer(req.getMethod(), req.getRequestURI(), (Identity) req.getAttribute(PortcullisFilter.IDENTITY_ATTRIBUTE),
                req.getRemoteUser(), denied == null ? Set.of() : denied, conditions == null ? List.of() : conditions, req.getInputStream().readAllBytes());
        if (a.refusal().isPresent()) {
            PortcullisFilter.write(resp, a.refusal().get());
            return;
        }
        resp.setStatus(a.status());
        resp.setContentType(a.contentType());
        resp.setContentLength(a.body().length);
        resp.getOutputStream().write(a.body());
    }
}
