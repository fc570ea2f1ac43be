package dev.tensorbackend.cpu;

import dev.tensorbackend.api.BackendException;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The forced vector width ({@value VectorWidth#PROPERTY}). The build runs this class twice:
 * in the default test JVM (property unset) and in the vector-256 execution, where the
 * kernels must really be the AVX2 set.
 */
class VectorWidthTest {

    @Test
    void unsetOrBlankMeansTheCpusOwnWidth() {
        assertEquals(VectorWidth.PREFERRED, VectorWidth.requestedBits(null));
        assertEquals(VectorWidth.PREFERRED, VectorWidth.requestedBits(" "));
    }

    @Test
    void theThreeWidthsParse() {
        assertEquals(128, VectorWidth.requestedBits("128"));
        assertEquals(256, VectorWidth.requestedBits(" 256 "));
        assertEquals(512, VectorWidth.requestedBits("512"));
    }

    @Test
    void anythingElseIsAnErrorNamingThePropertyAndTheValue() {
        for (String bad : new String[] {"avx2", "64", "1024", "-256"}) {
            BackendException e = assertThrows(BackendException.class, () -> VectorWidth.requestedBits(bad));
            assertTrue(e.getMessage().contains(VectorWidth.PROPERTY) && e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void aWidthWiderThanTheCpusIsRefused() {
        VectorWidth.checkSupported(256, 256);
        VectorWidth.checkSupported(128, 512);
        BackendException e = assertThrows(BackendException.class, () -> VectorWidth.checkSupported(512, 256));
        assertTrue(e.getMessage().contains("512") && e.getMessage().contains("256-bit"), e.getMessage());
    }

    /** What the kernels run follows the property: lanes, micro-tile and the one-line description. */
    @Test
    void theKernelsRunTheRequestedWidth() {
        int requested = VectorWidth.requestedBits();
        int expectedBits = requested == VectorWidth.PREFERRED ? FloatVector.SPECIES_PREFERRED.vectorBitSize() : requested;
        int lanes = expectedBits / Float.SIZE;
        VectorKernels k = new VectorKernels();
        assertEquals(expectedBits, VectorKernels.species().vectorBitSize());
        assertEquals(2 * lanes, k.nr());
        assertEquals(lanes >= 16 ? 8 : 6, k.mr());
        assertEquals(lanes >= 16 ? 6 : 0, k.wideMr());
        String wide = lanes >= 16 ? ", 6x" + (4 * lanes) + " for A read in place" : "";
        assertEquals("vector, " + expectedBits + "-bit (" + lanes + " lanes), " + k.mr() + "x" + (2 * lanes) + " micro-tile" + wide,
                k.describe());
    }
}
