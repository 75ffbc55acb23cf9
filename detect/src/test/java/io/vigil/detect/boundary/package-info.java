/** Tests of what the detection module may and may not depend on. */
package io.vigil.detect.boundary;
