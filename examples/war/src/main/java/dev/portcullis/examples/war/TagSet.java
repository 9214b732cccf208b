package dev.portcullis.examples.war;

import dev.portcullis.auth.routes.ExistenceLookup;
import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tags pushed so far ({@code repository:tag}), all this example stores. Put in the servlet context before the filter
 * starts, with the {@link ExistenceLookup} that lets Portcullis tell a new tag (create) from an overwrite (update).
 */
public final class TagSet implements ServletContextListener {
    private static final String ATTRIBUTE = "dev.portcullis.examples.war.tags";

    @Override
    public void contextInitialized(ServletContextEvent event) {
        Set<String> tags = ConcurrentHashMap.newKeySet();
        ServletContext context = event.getServletContext();
        context.setAttribute(ATTRIBUTE, tags);
        ExistenceLookup lookup = (repository, tag) -> tags.contains(repository + ":" + tag);
        context.setAttribute(PortcullisFilter.EXISTENCE_ATTRIBUTE, lookup);
    }

    @SuppressWarnings("unchecked")
    static Set<String> of(ServletContext context) {
        return (Set<String>) context.getAttribute(ATTRIBUTE);
    }
}
