package com.example.registry;

import dev.portcullis.auth.routes.ExistenceLookup;
import dev.portcullis.servlet.PortcullisFilter;
import dev.portcullis.servlet.readme.Storage;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.util.Set;

/**
 * The listener that docs/embedding.md's web.xml declares: an application's own class (hence its package), which gives
 * Portcullis the application's tag lookup before the filter starts.
 */
public final class TagLookupInstaller implements ServletContextListener {
    @Override
    public void contextInitialized(ServletContextEvent event) {
        Storage storage = new Storage(Set.of("team/app:1.0"));
        event.getServletContext().setAttribute(PortcullisFilter.EXISTENCE_ATTRIBUTE, (ExistenceLookup) storage::tagExists);
    }
}
