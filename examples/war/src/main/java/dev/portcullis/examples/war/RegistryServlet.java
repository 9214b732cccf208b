package dev.portcullis.examples.war;

import dev.portcullis.auth.Outcome.WriteCondition;
import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The application behind the filter: {@code PUT /v2/<repository>/manifests/<tag>} records the tag (201), every other
 * request is answered 200; each answer names the caller as the filter told the container ({@code getRemoteUser()}).
 */
public final class RegistryServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Pattern MANIFEST = Pattern.compile("/v2/(.+)/manifests/([^/]+)");

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getMethod().equals("PUT")) {
            Matcher manifest = MANIFEST.matcher(request.getServletPath());
            if (!manifest.matches()) {
                response.sendError(404);
                return;
            }
            WriteCondition broken = push(request, manifest.group(1) + ":" + manifest.group(2));
            if (broken != null) {
                PortcullisFilter.write(response, broken.refusal());
                return;
            }
            response.setStatus(201);
        }
        String user = request.getRemoteUser() == null ? "anonymous" : request.getRemoteUser();
        byte[] body = ("user=" + user).getBytes(StandardCharsets.UTF_8);
        response.setContentType("text/plain");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** Records the tag, unless a condition that the filter allowed the write under no longer holds: returns that one. */
    private @Nullable WriteCondition push(HttpServletRequest request, String tag) {
        @SuppressWarnings("unchecked")
        List<WriteCondition> conditions = (List<WriteCondition>) request.getAttribute(PortcullisFilter.WRITE_CONDITIONS_ATTRIBUTE);
        Set<String> tags = TagSet.of(getServletContext());
        synchronized (tags) { // the check and the write in one step, as a WriteCondition asks
            boolean exists = tags.contains(tag);
            for (WriteCondition c : conditions) {
                if (!c.holds(exists)) {
                    return c;
                }
            }
            tags.add(tag);
        }
        return null;
    }
}
