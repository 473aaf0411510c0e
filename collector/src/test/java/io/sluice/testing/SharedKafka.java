package io.sluice.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests one {@link KafkaBroker} per test JVM (~2 s to start, so it is
 * shared): {@code @ExtendWith(SharedKafka.class)} and a {@code KafkaBroker} parameter (in a
 * constructor, a {@code @BeforeAll} or a test method). Closed when the whole run ends. Tests sharing it
 * use their own topic names.
 */
public final class SharedKafka implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedKafka.class);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        return p.getParameter().getType() == KafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        return c.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("broker", k -> new Holder(KafkaBroker.start()), Holder.class).broker;
    }

    /** The root store closes it at the end of the run. */
    private record Holder(KafkaBroker broker) implements AutoCloseable {
        @Override
        public void close() {
            broker.close();
        }
    }
}
