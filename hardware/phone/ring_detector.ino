// Front Desk Kiosk ring detector: reference firmware for an Arduino Nano (ATmega328P) and for
// boards with a spare hardware UART (Serial1: Pro Micro, Leonardo, Mega).
// Speaks the line protocol in PHONE_PROTOCOL.md over USB serial at 9600 baud, 8N1.
// Wiring, parts and protection: docs/hardware.md.
//
//   RING_PIN (D2)  ring-detect opto output, active LOW (pulses at 17-60 Hz, or a level held
//                  through the burst on RC-filtered boards; both work, see RING_MODE_PIN)
//   HOOK_PIN (D3)  loop-current (off-hook) opto output, active LOW
//   RING_MODE_PIN (D5)  jumper to GND = the board holds a level; open = pulse train
//   CID_RX (D8)    HT9032 DOUT (FSK caller ID, 1200 baud) - SoftwareSerial on the Nano,
//                  Serial1 RX where the board has one
//   MT8870 DTMF:   StD -> D4, Q1..Q4 -> A0..A3 (DTMF caller ID; Chinese lines send FSK or DTMF)
//
// Out: HELLO <ver> <mode> <hook>, RING_ON, RING_OFF, OFFHOOK, ONHOOK, FSK <hex frame>, DTMF <digits>, PONG.
// In:  PING (the kiosk's heartbeat) -> PONG; HOOK (asked at every reconnect) -> ONHOOK / OFFHOOK.

#if !defined(HAVE_HWSERIAL1)
#include <SoftwareSerial.h>
SoftwareSerial cidSerial(8, 9);   // RX = D8 (HT9032 DOUT); TX unused
#define CID_PORT cidSerial
#else
#define CID_PORT Serial1
#endif

const uint8_t RING_PIN = 2;
const uint8_t HOOK_PIN = 3;
const uint8_t DTMF_STD_PIN = 4;
const uint8_t RING_MODE_PIN = 5;
const uint8_t DTMF_Q_PINS[4] = {A0, A1, A2, A3};

const unsigned long BURST_QUIET_MS = 300;   // this long without activity ends a ring burst
const unsigned long MIN_BURST_MS = 150;     // activity shorter than this is a transient, not a ring
const unsigned long MAX_HOLE_MS = 80;       // a hole this long before RING_ON: that was a transient
const uint16_t MIN_BURST_EDGES = 4;         // a pulse train needs this many edges (2 cycles at 17 Hz)
const unsigned long HOOK_STABLE_MS = 100;   // loop current must be stable this long
const unsigned long DTMF_IDLE_MS = 800;     // DTMF caller ID ends after this long without a digit
const unsigned long FSK_IDLE_MS = 200;      // an FSK frame is abandoned after this long without a byte
const uint8_t FSK_MAX = 64;                 // type + length + body + checksum (MDMF fits easily)
const uint8_t DTMF_MAX = 24;
const uint8_t CMD_MAX = 16;

// Shared with the interrupt: read only with interrupts off (an unsigned long is 4 bytes on AVR).
volatile uint16_t edgeCount = 0;

bool levelMode = false;
bool burstCandidate = false;   // activity seen, burst not yet long enough to announce
bool inBurst = false;
unsigned long burstStartMs = 0;
unsigned long lastActiveMs = 0;
uint16_t lastEdges = 0;
uint16_t burstEdges = 0;       // edges counted in the candidate burst
unsigned long heldSinceMs = 0; // a held level's start (level boards: it must be held, not flicker)
bool wasActive = false;

bool offHook = false;
bool hookCandidate = false;
unsigned long hookChangedMs = 0;

uint8_t fsk[FSK_MAX];
uint8_t fskLen = 0;
uint8_t fskNeed = 0;
unsigned long fskLastMs = 0;

char dtmf[DTMF_MAX + 1];
uint8_t dtmfLen = 0;
bool stdWas = false;
unsigned long dtmfLastMs = 0;

char cmd[CMD_MAX + 1];
uint8_t cmdLen = 0;

void onRingEdge() {
  edgeCount++;
}

void setup() {
  pinMode(RING_PIN, INPUT_PULLUP);
  pinMode(HOOK_PIN, INPUT_PULLUP);
  pinMode(RING_MODE_PIN, INPUT_PULLUP);
  pinMode(DTMF_STD_PIN, INPUT);
  for (uint8_t i = 0; i < 4; i++) pinMode(DTMF_Q_PINS[i], INPUT);
  levelMode = digitalRead(RING_MODE_PIN) == LOW;
  attachInterrupt(digitalPinToInterrupt(RING_PIN), onRingEdge, CHANGE);
  Serial.begin(9600);
  CID_PORT.begin(1200);
  offHook = digitalRead(HOOK_PIN) == LOW;
  Serial.print(levelMode ? F("HELLO 2.1 level ") : F("HELLO 2.1 pulse "));
  Serial.println(offHook ? F("offhook") : F("onhook"));
}

// --- ringing: pulse trains and held levels, minimum burst, quiet end ------------------------
void pollRing(unsigned long now) {
  noInterrupts();
  uint16_t edges = edgeCount;   // two bytes: torn if read while the interrupt writes
  interrupts();
  bool active = digitalRead(RING_PIN) == LOW;   // a held level is active throughout
  if (!levelMode && edges != lastEdges) {
    active = true;                              // a pulse since the last look (no aliasing: counted)
  }
  uint16_t newEdges = edges - lastEdges;       // wraps correctly (unsigned)
  lastEdges = edges;
  if (active) {
    if (burstCandidate && now - lastActiveMs > MAX_HOLE_MS) {
      burstCandidate = false;                   // a hole too long for ringing: a transient
    }
    if (!burstCandidate && !inBurst) {
      burstCandidate = true;
      burstStartMs = now;
      burstEdges = 0;
      wasActive = false;
    }
    if (!wasActive) heldSinceMs = now;
    burstEdges += newEdges;
    lastActiveMs = now;
    // Sustained activity only: a held level for MIN_BURST_MS, or a pulse train of MIN_BURST_EDGES
    // edges spanning MIN_BURST_MS; two or three spikes never make a ring.
    bool sustained = levelMode ? (now - heldSinceMs >= MIN_BURST_MS)
                               : (now - burstStartMs >= MIN_BURST_MS && burstEdges >= MIN_BURST_EDGES);
    if (burstCandidate && sustained) {
      burstCandidate = false;
      inBurst = true;
      Serial.println(F("RING_ON"));
    }
  } else if ((burstCandidate || inBurst) && now - lastActiveMs >= (levelMode ? 100UL : BURST_QUIET_MS)) {
    if (inBurst) Serial.println(F("RING_OFF"));
    burstCandidate = false;   // a transient shorter than MIN_BURST_MS ends here, unreported
    inBurst = false;
  }
  wasActive = active;
}

// --- off-hook: loop current stable for 100 ms -------------------------------------------------
void pollHook(unsigned long now) {
  bool hookNow = digitalRead(HOOK_PIN) == LOW;
  if (hookNow != offHook) {
    if (!hookCandidate) {
      hookCandidate = true;
      hookChangedMs = now;
    } else if (now - hookChangedMs >= HOOK_STABLE_MS) {
      offHook = hookNow;
      hookCandidate = false;
      Serial.println(offHook ? F("OFFHOOK") : F("ONHOOK"));
    }
  } else {
    hookCandidate = false;
  }
}

// --- FSK caller ID: bytes from the HT9032, frames forwarded as hex, decoded on the kiosk ------
void sendHex(const uint8_t *data, uint8_t len) {
  static const char digits[] = "0123456789ABCDEF";
  Serial.print(F("FSK "));
  for (uint8_t i = 0; i < len; i++) {
    Serial.write(digits[data[i] >> 4]);
    Serial.write(digits[data[i] & 0x0F]);
  }
  Serial.println();
}

void pollFsk(unsigned long now) {
  if (fskLen && now - fskLastMs > FSK_IDLE_MS) fskLen = 0;   // a broken frame: start over
  uint8_t budget = 16;                                      // bounded work per loop pass
  while (CID_PORT.available() && budget--) {
    uint8_t b = CID_PORT.read();
    fskLastMs = now;
    if (fskLen == 0) {
      if (b == 0x04 || b == 0x80) fsk[fskLen++] = b;        // SDMF or MDMF message type; seizure 0x55 skipped
      continue;
    }
    fsk[fskLen++] = b;
    if (fskLen == 2) {
      fskNeed = (uint8_t)min((int)b + 3, (int)FSK_MAX);
    } else if (fskLen >= fskNeed || fskLen >= FSK_MAX) {
      sendHex(fsk, fskLen);                                 // the kiosk checks the checksum
      fskLen = 0;
    }
  }
}

// --- DTMF caller ID from an MT8870 ------------------------------------------------------------
char dtmfDigit(uint8_t code) {
  static const char map[] = "D1234567890*#ABC";             // MT8870 codes 0-15
  return map[code & 0x0F];
}

void pollDtmf(unsigned long now) {
  bool std = digitalRead(DTMF_STD_PIN) == HIGH;
  if (std && !stdWas) {
    uint8_t code = 0;
    for (uint8_t i = 0; i < 4; i++) code |= (digitalRead(DTMF_Q_PINS[i]) == HIGH) << i;
    if (dtmfLen < DTMF_MAX) dtmf[dtmfLen++] = dtmfDigit(code);
    dtmfLastMs = now;
    if (dtmf[dtmfLen - 1] == 'C' && dtmfLen > 1) {
      dtmf[dtmfLen] = 0;
      Serial.print(F("DTMF "));
      Serial.println(dtmf);
      dtmfLen = 0;
    }
  }
  stdWas = std;
  if (dtmfLen && now - dtmfLastMs > DTMF_IDLE_MS) {
    dtmf[dtmfLen] = 0;
    Serial.print(F("DTMF "));
    Serial.println(dtmf);                                   // without its end marker: the kiosk decides
    dtmfLen = 0;
  }
}

// --- commands from the kiosk: non-blocking ----------------------------------------------------
void pollCommands() {
  uint8_t budget = 16;
  while (Serial.available() && budget--) {
    char c = Serial.read();
    if (c == '\n' || c == '\r') {
      cmd[cmdLen] = 0;
      if (cmdLen == 4 && strcmp(cmd, "PING") == 0) Serial.println(F("PONG"));
      if (cmdLen == 4 && strcmp(cmd, "HOOK") == 0) Serial.println(offHook ? F("OFFHOOK") : F("ONHOOK"));
      cmdLen = 0;
    } else if (cmdLen < CMD_MAX) {
      cmd[cmdLen++] = c;
    } else {
      cmdLen = 0;                                           // an over-long line is dropped
    }
  }
}

void loop() {
  unsigned long now = millis();
  pollRing(now);
  pollHook(now);
  pollFsk(now);
  pollDtmf(now);
  pollCommands();
}
