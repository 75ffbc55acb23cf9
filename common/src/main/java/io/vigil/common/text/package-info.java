/**
 * Text made safe for where it is shown: attacker-controlled strings (event fields, host names, rule
 * files) escaped before they reach a terminal.
 */
package io.vigil.common.text;
