package dev.portcullis.spring;

import dev.portcullis.auth.AuthEvent;
import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome.WriteCondition;
import dev.portcullis.auth.routes.ExistenceLookup;
import dev.portcullis.servlet.PortcullisFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A tiny OCI registry as a Spring Boot application: manifests under {@code /v2/} kept in memory, its tag lookup as the
 * {@link ExistenceLookup} bean, and a customizer bean that records Portcullis's decisions. Every answer says who the
 * application saw: {@code principal=… identity=… auth=…}.
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import(RegistryApplication.RegistryController.class)
public class RegistryApplication {
    /** The manifests stored: {@code repository:tag}. */
    static final class Tags {
        private final Set<String> stored = ConcurrentHashMap.newKeySet();

        boolean exists(String repository, String tag) {
            return stored.contains(repository + ":" + tag);
        }

        /** Stores the tag if the caller's write conditions still hold, atomically with the check; false if one does not. */
        synchronized boolean put(String repository, String tag, List<WriteCondition> conditions) {
            for (WriteCondition condition : conditions) {
                if (!condition.holds(exists(repository, tag))) {
                    return false;
                }
            }
            stored.add(repository + ":" + tag);
            return true;
        }

        void remove(String repository, String tag) {
            stored.remove(repository + ":" + tag);
        }
    }

    /** Every decision Portcullis made, as its audit listener got it. */
    static final class Decisions {
        final List<AuthEvent> events = new CopyOnWriteArrayList<>();

        long about(String path) {
            return events.stream().filter(e -> e.path().equals(path)).count();
        }
    }

    @Bean
    Tags tags() {
        return new Tags();
    }

    @Bean
    Decisions decisions() {
        return new Decisions();
    }

    @Bean
    ExistenceLookup tagLookup(Tags tags) {
        return tags::exists;
    }

    @Bean
    PortcullisBuilderCustomizer recordDecisions(Decisions decisions) {
        return builder -> builder.listener(decisions.events::add);
    }

    /** Who the application sees, through the servlet API and Portcullis's request attribute. */
    static String who(HttpServletRequest request) {
        Principal principal = request.getUserPrincipal();
        Identity identity = (Identity) request.getAttribute(PortcullisFilter.IDENTITY_ATTRIBUTE);
        return "principal=" + (principal == null ? "none" : principal.getName()) + " identity=" + (identity == null ? "none" : identity.name())
                + " auth=" + request.getAuthType();
    }

    @RestController
    static class RegistryController {
        private static final Pattern MANIFEST = Pattern.compile("/v2/(.+)/manifests/([^/]+)");
        private final Tags tags;

        RegistryController(Tags tags) {
            this.tags = tags;
        }

        @RequestMapping("/v2/**")
        ResponseEntity<String> registry(HttpServletRequest request, HttpServletResponse response) throws IOException {
            request.getInputStream().readAllBytes();
            Matcher manifest = MANIFEST.matcher(request.getRequestURI());
            String who = who(request);
            return switch (request.getMethod()) {
                case "GET", "HEAD" -> ResponseEntity.ok(who);
                case "PUT" -> {
                    if (!manifest.matches()) {
                        yield ResponseEntity.badRequest().body("not a manifest");
                    }
                    @SuppressWarnings("unchecked")
                    List<WriteCondition> conditions = (List<WriteCondition>) request.getAttribute(PortcullisFilter.WRITE_CONDITIONS_ATTRIBUTE);
                    if (!tags.put(manifest.group(1), manifest.group(2), conditions == null ? List.of() : conditions)) {
                        PortcullisFilter.write(response, conditions.get(0).refusal());
                        yield null;
                    }
                    yield ResponseEntity.status(201).body(who);
                }
                case "DELETE" -> {
                    if (manifest.matches()) {
                        tags.remove(manifest.group(1), manifest.group(2));
                    }
                    yield ResponseEntity.accepted().body(who);
                }
                default -> ResponseEntity.status(405).body(who);
            };
        }

        /**
         * A push answered asynchronously: the tag is stored on another thread, after the request thread has returned,
         * and the answer is written on the asynchronous dispatch.
         */
        @PutMapping("/v2/team/async/manifests/{tag}")
        Callable<ResponseEntity<String>> asyncPush(@PathVariable("tag") String tag, HttpServletRequest request) throws IOException {
            request.getInputStream().readAllBytes();
            @SuppressWarnings("unchecked")
            List<WriteCondition> conditions = (List<WriteCondition>) request.getAttribute(PortcullisFilter.WRITE_CONDITIONS_ATTRIBUTE);
            String requestThread = Thread.currentThread().getName();
            return () -> {
                String who = who(request); // the request, read from the asynchronous part
                if (!tags.put("team/async", tag, conditions)) {
                    return ResponseEntity.status(403).body("the tag was published meanwhile");
                }
                boolean elsewhere = !Thread.currentThread().getName().equals(requestThread);
                return ResponseEntity.status(201).body(who + " elsewhere=" + elsewhere);
            };
        }

        /** Outside {@code /v2/}: not the registry's, passed unchecked by the OCI routes. */
        @GetMapping("/hello")
        String hello(HttpServletRequest request) {
            return "hello " + who(request);
        }
    }
}
