package io.sluice.handover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The handover.* keys: defaults, overrides, and refusals naming the key. */
class HandoverConfigTest {
    @Test
    void defaultsTakeOverUnderTheStandardPinRoot() throws Exception {
        HandoverSettings h = ConfigLoader.load(new String[0]).handover();
        assertTrue(h.enabled());
        assertEquals(Path.of("/sys/fs/bpf/sluice"), h.pinRoot());
        assertEquals(Duration.ofMinutes(10), h.templateSnapshotMaxAge());
    }

    @Test
    void everyKeyCanBeSet() throws Exception {
        HandoverSettings h = ConfigLoader.load(new String[] {"--set", "handover.enabled=false", "--set",
                "handover.pin-root=/run/sluice/bpf", "--handover.state-dir=/var/lib/sluice",
                "--handover.template-snapshot-max-age=30s"}).handover();
        assertFalse(h.enabled());
        assertEquals(Path.of("/run/sluice/bpf"), h.pinRoot());
        assertEquals("/var/lib/sluice", h.stateDir());
        assertEquals(Duration.ofSeconds(30), h.templateSnapshotMaxAge());
    }

    @Test
    void badValuesNameTheKey() {
        ConfigException relative = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--set", "handover.pin-root=sluice"}));
        assertTrue(relative.getMessage().contains("handover.pin-root"), relative.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--set", "handover.pin-dir=/x"}));
        assertTrue(unknown.getMessage().contains("handover.pin-dir"), unknown.getMessage());
        ConfigException notBoolean = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--set", "handover.enabled=maybe"}));
        assertTrue(notBoolean.getMessage().contains("handover.enabled"), notBoolean.getMessage());
    }
}
