package io.sluice.steering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.testing.BpfRequirement;
import org.junit.jupiter.api.Test;

/** BpfObject's two phases on the bundled object: what may be asked before load, what after, and the errors' words. */
class BpfObjectTest {
    @Test
    void shapeIsCheckedBeforeLoadAndFdsExistAfter() {
        BpfRequirement.assumeBpf();
        try (BpfObject object = BpfObject.open(BpfObjectSource.bundled())) {
            BpfObjectException wrongSize = assertThrows(BpfObjectException.class, () -> object.map("owner", 31));
            assertTrue(wrongSize.getMessage().contains("map 'owner'") && wrongSize.getMessage().contains("32-byte values, expected 31"),
                    wrongSize.getMessage());
            assertTrue(assertThrows(BpfObjectException.class, () -> object.map("nothing", 0)).getMessage().contains("no map 'nothing'"));
            assertTrue(assertThrows(BpfObjectException.class, () -> object.keepOnlyProgram("nothing", SteeringMode.programNames()))
                    .getMessage().contains("no program 'nothing'"));
            assertTrue(assertThrows(BpfObjectException.class, () -> object.setConst(".data", 1)).getMessage().contains("4-byte .data"));
            BpfObject.MapHandle socketMap = object.map("socket_map", 0);
            assertEquals(SocketMap.CAPACITY, socketMap.maxEntries());
            assertThrows(IllegalStateException.class, socketMap::fd, "no fd before load");

            object.keepOnlyProgram(SteeringMode.ROUND_ROBIN.programName(), SteeringMode.programNames()).setConst(".rodata", 2);
            object.load("the test program");
            assertTrue(socketMap.fd() > 0);
            assertTrue(object.programFd(SteeringMode.ROUND_ROBIN.programName()) > 0);
            assertThrows(IllegalStateException.class, () -> object.setConst(".rodata", 3), "constants are fixed at load");
            assertThrows(IllegalStateException.class, () -> object.load("again"));
        }
    }

    @Test
    void closeIsIdempotentAndEndsTheObject() {
        BpfRequirement.assumeBpf();
        BpfObject object = BpfObject.open(BpfObjectSource.bundled());
        object.close();
        object.close();
        assertThrows(IllegalStateException.class, () -> object.map("socket_map", 0));
    }
}
