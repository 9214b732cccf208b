package dev.portcullis.servlet;

import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome;
import dev.portcullis.auth.Portcullis;
import dev.portcullis.auth.Outcome.WriteCondition;
import dev.portcullis.auth.conformance.HttpConformanceSuite;
import dev.portcullis.auth.conformance.Tags;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The conformance suite's application: echoes who Portcullis let through. */
public class EchoRegistryServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient Portcullis portcullis;
    private final transient Tags tags;

    public EchoRegistryServlet(Portcullis portcullis) {
        this(portcullis, new Tags());
    }

    public EchoRegistryServlet(Portcullis portcullis, Tags tags) {
        this.portcullis = portcullis;
        this.tags = tags;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        byte[] content = req.getInputStream().readAllBytes();
        if (req.getMethod().equals("PUT")) {
            @SuppressWarnings("unchecked")
            List<WriteCondition> conditions = (List<WriteCondition>) req.getAttribute(PortcullisFilter.WRITE_CONDITIONS_ATTRIBUTE);
            Optional<Outcome.Respond> refusal = tags.push(req.getRequestURI(), conditions, new String(content, StandardCharsets.UTF_8));
            if (refusal.isPresent()) {
                PortcullisFilter.write(resp, refusal.get());
                return;
            }
        }
        String body;
        if (req.getRequestURI().equals("/v2/_catalog")) {
            Identity identity = (Identity) req.getAttribute(PortcullisFilter.IDENTITY_ATTRIBUTE);
            body = "{\"repositories\":[" + String.join(",", portcullis.filterCatalog(identity, HttpConformanceSuite.CATALOG).stream()
                    .map(r -> "\"" + r + "\"").toList()) + "]}";
            resp.setContentType("application/json");
        } else {
            @SuppressWarnings("unchecked")
            Set<String> denied = (Set<String>) req.getAttribute(PortcullisFilter.DENIED_MOUNTS_ATTRIBUTE);
            body = "user=" + (req.getRemoteUser() == null ? "anonymous" : req.getRemoteUser())
                    + " mountsDenied=" + String.join(",", new TreeSet<>(denied == null ? Set.of() : denied));
            resp.setContentType("text/plain");
        }
        resp.setStatus(switch (req.getMethod()) {
            case "PUT", "POST" -> 201;
            case "PATCH", "DELETE" -> 202;
            default -> 200;
        });
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }
}
