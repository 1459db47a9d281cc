// Package marvin implements Microsoft's Marvin32 hash, the keyed 32-bit
// checksum Windows 8.1 and later store in each HvLE entry of a registry
// transaction log (seed 0x82EF4D887A4E55C5).
//
// Marvin32 works on 32-bit little-endian words with a 64-bit state split
// into two 32-bit halves initialised from the seed (low half first). Each
// word is added to the low half, then the state is mixed by four
// add/rotate/xor rounds with rotations 20, 9, 27 and 19. The tail (0..3
// bytes) is padded with a single 0x80 byte, added like a word, and mixed
// twice. The 64-bit result is hi<<32|lo; the 32-bit one is lo^hi.
//
// Written from the public description (SymCrypt's marvin32.c comments and
// the test vectors of the .NET runtime's MarvinTests.cs). It never panics
// and allocates nothing.
package marvin

import (
	"encoding/binary"
	"math/bits"
)

// RegistrySeed is the seed Windows uses for the hashes of HvLE log entries.
const RegistrySeed uint64 = 0x82EF4D887A4E55C5

// Sum64 returns the 64-bit Marvin32 state (hi<<32 | lo) of data under seed.
func Sum64(seed uint64, data []byte) uint64 {
	lo, hi := uint32(seed), uint32(seed>>32)
	for len(data) >= 4 {
		lo += binary.LittleEndian.Uint32(data)
		lo, hi = block(lo, hi)
		data = data[4:]
	}
	var final uint32
	switch len(data) {
	case 0:
		final = 0x80
	case 1:
		final = 0x8000 | uint32(data[0])
	case 2:
		final = 0x800000 | uint32(data[0]) | uint32(data[1])<<8
	case 3:
		final = 0x80000000 | uint32(data[0]) | uint32(data[1])<<8 | uint32(data[2])<<16
	}
	lo += final
	lo, hi = block(lo, hi)
	lo, hi = block(lo, hi)
	return uint64(hi)<<32 | uint64(lo)
}

// Sum32 returns the 32-bit Marvin32 hash of data under seed: the two halves
// of the final state XORed together.
func Sum32(seed uint64, data []byte) uint32 {
	s := Sum64(seed, data)
	return uint32(s) ^ uint32(s>>32)
}

// block is one Marvin mixing step over the state (s0, s1).
func block(s0, s1 uint32) (uint32, uint32) {
	s1 ^= s0
	s0 = bits.RotateLeft32(s0, 20)
	s0 += s1
	s1 = bits.RotateLeft32(s1, 9)
	s1 ^= s0
	s0 = bits.RotateLeft32(s0, 27)
	s0 += s1
	s1 = bits.RotateLeft32(s1, 19)
	return s0, s1
}
