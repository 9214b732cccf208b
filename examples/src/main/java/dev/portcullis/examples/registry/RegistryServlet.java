package dev.portcullis.examples.registry;

import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome.WriteCondition;
import dev.portcullis.policy.Behaviour;
import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;

/** The Jetty front end: behind {@link PortcullisFilter}, every request reaching here was allowed. */
final class RegistryServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient StoreApi api;

    RegistryServlet(StoreApi api) {
        this.api = api;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Identity identity = (Identity) req.getAttribute(PortcullisFilter.IDENTITY_ATTRIBUTE);
        @SuppressWarnings("unchecked")
        Set<String> denied = req.getAttribute(PortcullisFilter.DENIED_MOUNTS_ATTRIBUTE) instanceof Set<?> s ? (Set<String>) s : Set.of();
        @SuppressWarnings("unchecked")
        List<WriteCondition> conditions = req.getAttribute(PortcullisFilter.WRITE_CONDITIONS_ATTRIBUTE) instanceof List<?> l
                ? (List<WriteCondition>) l : List.of();
        @SuppressWarnings("unchecked")
        Set<Behaviour> behaviours = req.getAttribute(PortcullisFilter.BEHAVIOURS_ATTRIBUTE) instanceof Set<?> b ? (Set<Behaviour>) b : Set.of();
        StoreApi.Response out = api.handle(new StoreApi.Request(req.getMethod(), HttpRequests.path(req.getRequestURI()),
                HttpRequests.query(req.getQueryString()), req::getHeader, req.getInputStream(), identity, denied, conditions, behaviours));
        resp.setStatus(out.status());
        out.headers().forEach(resp::setHeader);
        boolean head = req.getMethod().equals("HEAD");
        if (out.file() != null) {
            resp.setContentLengthLong(out.fileLength());
            if (!head) {
                try (OutputStream body = resp.getOutputStream()) {
                    Files.copy(out.file(), body);
                }
            }
            return;
        }
        byte[] body = out.body() == null ? new byte[0] : out.body();
        resp.setContentLength(body.length);
        if (!head && body.length > 0) {
            resp.getOutputStream().write(body);
        }
    }
}
