package io.sluice.testing;

import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * The {@link Captures} rule for jqwik containers ({@code @AddLifecycleHook(CapturesPresent.class)}):
 * jqwik reports JUnit's abort thrown from a {@code @BeforeContainer} as an error, so a property class
 * that loads its corpus there is skipped by this hook instead when ../shared/captures is missing
 * outside CI. In CI it runs, and the missing folder fails it.
 */
public final class CapturesPresent implements SkipExecutionHook {
    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        String missing = Captures.missing("captures");
        if (missing == null || System.getenv("CI") != null) return SkipResult.doNotSkip();
        return SkipResult.skip(missing);
    }
}
