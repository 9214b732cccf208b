package dev.portcullis.servlet.readme;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** The examples' registry: stores nothing, answers 201 to a PUT and 200 otherwise, and says who it saw. */
public final class RegistryServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        request.getInputStream().readAllBytes();
        response.setStatus(request.getMethod().equals("PUT") ? 201 : 200);
        response.getWriter().print("user=" + (request.getRemoteUser() == null ? "anonymous" : request.getRemoteUser()));
    }
}
