package dev.portcullis.netty;

import dev.portcullis.auth.Identity;
import dev.portcullis.auth.Outcome;
import dev.portcullis.policy.Behaviour;
import io.netty.util.Attribute;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What the application sees of the request it is passed: the channel attributes {@link PortcullisHttpHandler#IDENTITY},
 * {@link PortcullisHttpHandler#DENIED_MOUNTS}, {@link PortcullisHttpHandler#WRITE_CONDITIONS} and
 * {@link PortcullisHttpHandler#BEHAVIOURS}, set for every request
 * passed on and cleared for one answered here, so that one request's identity never reaches the next.
 */
final class RequestAttributes {
    private final Attribute<Identity> identity; // looked up once per connection
    private final Attribute<Set<String>> deniedMounts;
    private final Attribute<List<Outcome.WriteCondition>> writeConditions;
    private final Attribute<Set<Behaviour>> behaviours;

    RequestAttributes(Attribute<Identity> identity, Attribute<Set<String>> deniedMounts, Attribute<List<Outcome.WriteCondition>> writeConditions,
            Attribute<Set<Behaviour>> behaviours) {
        this.identity = identity;
        this.deniedMounts = deniedMounts;
        this.writeConditions = writeConditions;
        this.behaviours = behaviours;
    }

    void set(Outcome.Proceed proceed) {
        setIfChanged(identity, proceed.identity());
        setIfChanged(deniedMounts, proceed.deniedMountSources());
        setIfChanged(writeConditions, proceed.writeConditions());
        setIfChanged(behaviours, proceed.behaviours());
    }

    void clear() {
        setIfChanged(identity, null);
        setIfChanged(deniedMounts, Set.of());
        setIfChanged(writeConditions, List.of());
        setIfChanged(behaviours, Set.of());
    }

    /** Attributes are volatile: a request on a keep-alive connection mostly finds them as the last one left them. */
    private static <T> void setIfChanged(Attribute<T> attribute, @Nullable T value) {
        if (attribute.get() != value) {
            attribute.set(value);
        }
    }
}
