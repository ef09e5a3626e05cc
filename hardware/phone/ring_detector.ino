// Front Desk Kiosk ring detector: reference firmware for an Arduino Nano / Pro Micro.
// Speaks the line protocol in PHONE_PROTOCOL.md over USB serial at 9600 baud.
//
// Wiring (both inputs opto-isolated from the phone line, e.g. with an H11AA1 for ringing and a
// loop-current sensor such as a PC817 across a series resistor for off-hook):
//   RING_PIN  (D2): LOW while ringing voltage is present (pulses at 20-50 Hz)
//   HOOK_PIN  (D3): LOW while loop current flows (a handset is off-hook)
// Caller ID needs an FSK decoder (e.g. HT9032) on Serial1; see decodeCallerId().

const uint8_t RING_PIN = 2;
const uint8_t HOOK_PIN = 3;
const unsigned long BURST_QUIET_MS = 300;   // this long without a pulse ends a ring burst
const unsigned long HOOK_STABLE_MS = 100;   // loop current must be stable this long

volatile unsigned long lastPulseMs = 0;
volatile bool pulseSeen = false;
bool inBurst = false;
bool offHook = false;
unsigned long hookChangedMs = 0;
bool hookCandidate = false;

void onRingEdge() {
  lastPulseMs = millis();
  pulseSeen = true;
}

void setup() {
  pinMode(RING_PIN, INPUT_PULLUP);
  pinMode(HOOK_PIN, INPUT_PULLUP);
  attachInterrupt(digitalPinToInterrupt(RING_PIN), onRingEdge, CHANGE);
  Serial.begin(9600);
  Serial1.begin(1200);  // FSK decoder output, if fitted
  offHook = digitalRead(HOOK_PIN) == LOW;
  Serial.println(F("HELLO 1.0"));
}

void loop() {
  unsigned long now = millis();

  // Ring bursts: first pulse starts one, 300 ms of quiet ends it.
  noInterrupts();
  bool seen = pulseSeen;
  unsigned long last = lastPulseMs;
  pulseSeen = false;
  interrupts();
  if (seen && !inBurst) {
    inBurst = true;
    Serial.println(F("RING_ON"));
  }
  if (inBurst && now - last >= BURST_QUIET_MS) {
    inBurst = false;
    Serial.println(F("RING_OFF"));
  }

  // Off-hook sense, debounced.
  bool hookNow = digitalRead(HOOK_PIN) == LOW;
  if (hookNow != hookCandidate) {
    hookCandidate = hookNow;
    hookChangedMs = now;
  }
  if (hookCandidate != offHook && now - hookChangedMs >= HOOK_STABLE_MS) {
    offHook = hookCandidate;
    Serial.println(offHook ? F("OFFHOOK") : F("ONHOOK"));
  }

  decodeCallerId();

  // Keep-alive check from the kiosk.
  if (Serial.available()) {
    String cmd = Serial.readStringUntil('\n');
    cmd.trim();
    if (cmd == F("PING")) Serial.println(F("PONG"));
  }
}

// Reads "NMBR=...;NAME=..." style text from an FSK decoder module on Serial1 and reports it.
void decodeCallerId() {
  static String buffer;
  while (Serial1.available()) {
    char c = Serial1.read();
    if (c == '\n') {
      int n = buffer.indexOf(F("NMBR="));
      if (n >= 0) {
        int end = buffer.indexOf(';', n);
        String number = buffer.substring(n + 5, end < 0 ? buffer.length() : end);
        int m = buffer.indexOf(F("NAME="));
        String name = m >= 0 ? buffer.substring(m + 5) : String();
        Serial.print(F("CID "));
        Serial.print(number);
        if (name.length()) { Serial.print(' '); Serial.print(name); }
        Serial.println();
      }
      buffer = "";
    } else if (buffer.length() < 120 && c >= 32) {
      buffer += c;
    }
  }
}
