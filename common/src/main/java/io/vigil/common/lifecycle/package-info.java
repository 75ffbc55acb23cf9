/** Starting and stopping a process made of parts: the parts close in the reverse of their start. */
package io.vigil.common.lifecycle;
