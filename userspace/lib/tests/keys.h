/* SPDX-License-Identifier: (GPL-2.0 OR MIT) */
/*
 * Fixed RSA-2048 test keys (PKCS#8 PEM), generated once with
 * "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048".  Fixed
 * keys make gen_vectors reproducible and keep the tests fast.  They are
 * public test material: never use them for anything else.
 *
 *   ca      the test CA (subject "sdrp-test-ca")
 *   client  the client ("client.example")
 *   server  the server ("server.example")
 *   rogue   an unrelated CA for the wrong-CA tests
 */
#ifndef _SDRP_TEST_KEYS_H
#define _SDRP_TEST_KEYS_H

static const char test_key_ca_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC2oUAm1TlDW93W\n"
	"AxFuDD18q9x5jycdnQwo0GcvWN5MPFUh0dXrAmUD1LgFXGqG+ZWZ+FdCYWQNfvHC\n"
	"ROYTEsG7AqkKxEASqHXD51+kPg6atKbnNkF2wMtNu1TNU6WDPuaahF1k9UX4R1qu\n"
	"wzDoSjtEN86q9cezQTHOqcb7hu3q+/FDpcEnjlkwL8Q4VcG2a0uGyhDfHDt4weyu\n"
	"Ymo7nBC7BzduNFNUSUSpjUkjqn560VfFhm8Oqz9GPfgHWtWrzTfoHmaFUG3X1dPm\n"
	"FH70DGqlUa7YMKUq/uC8n5N9x+2UOaP4sm/vyHvbkf+rtuyteiSdesOuaqOELwjz\n"
	"XqFHHfb/AgMBAAECggEADQcVr294ZUCxY2nWnXYMEM+lq5o1nRwt2N987Ni3CtMm\n"
	"84Gnc9s433wWIHPGOZimPlSDzP1riLbsggIuM2AcJ7351wXG2E3iELZ5kRrIKesH\n"
	"GOk65EC+f+4ED52O6fzbsFwO2XvRoPNeGadc3sUk0ynz+SgNNdFJv0dHJXwrjp6J\n"
	"a7bwTzAjBoiE2oNxpr8LL0Wva7MZfuiD3D9n0dv2IA7+dNn8786WW1uv2NGuiZuR\n"
	"xkldXYeTc960+wAKoa/a8Uxw2ma89WCqk2TUJjzy4pDPC7aa6q0ewBAGC7z2n3+u\n"
	"3vv1cwF6sjts6h5haG43sWWfUXAKN2nHfm4+4/+CgQKBgQDeogp+XWp8fHjJQDFK\n"
	"hl4mZpDKJmNRQW4C6XhtBNysFTC87amIEQv5NPJTARp2tlDggHoZJBxH2/KqLezJ\n"
	"EimlrY8XtoU8AyRwilo3n4CSxWGnyGAQG7i55Oibi1/qnP3qfkA70cJkhN9085Qa\n"
	"0Xdyrv/Ym6u0jZ57sU2rqz/JPwKBgQDSAGAQkX6WMKVTn3iDHWUlp/q0AAuXQVkg\n"
	"wrWGpTWQkE+T+UMgJqBYb7q17ejwpK5HTvO2hH1/y93ZLFWXih2KY8XI/Awemp0h\n"
	"NKl+FgF1qb4bu3Mg2EsqjmeBvAedhq+hPPXuTRDlI9/D27akJUyPBCXIdkdborpy\n"
	"oi7lKu6iQQKBgQCKDnHzanpeN9Gu+t+WFzzLE082DBgKi0htBdpnwFwXWgyfG8HF\n"
	"XszN/MdIMab3dpcwoHsWnA3tgbc5UMFE7r5kvvu8+LImRMyT/Td0xrQ0T7H/GYJ4\n"
	"erhSjmCwE/2mvzO19hRfA/RH4R2wqFtvRfWMaHi/GcmgbTGaApjnm4oygQKBgEZ0\n"
	"4cYtSm9ReuaHhoNXBWyQ40gpC7p/rkuTiBvYqhQKluhqpN7QltOVCOupGpJCbkZ2\n"
	"csY1xXVvDMukWEMzj52yw9Ue22IZNcbCSGuJLowvmxzq00Gdz/pDNO8OCvALFDng\n"
	"nhKJwLVgR98KhEimSv1gwtxy8pYIDs4PI/S3ZsEBAoGAcZL9nXb/ekqZVykRWASC\n"
	"I8Wxl+TWnbl18Rfb55YhpqNpEP1sJ4alBYJI9tyyMUALQXZKhwzsKWPXZh/59gJT\n"
	"DwbqMSYJIYNhQQpAZqb0tphplkQxqUCEhG6pT8HySUlmh6Ohjv7twRrbE6NdLWtx\n"
	"pzmFEmS5zb3P+N8rQOjAWzU=\n"
	"-----END PRIVATE KEY-----\n";

static const char test_key_client_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCdX5XjQhi0wpMc\n"
	"AY/enaqz2SunmCcpft0qHszFU3aP0e7mFQd3N2ZeGbNlF6+jNczd5uJQhiAxzNqL\n"
	"NA2JqBMHMJgNbBEsmK7bJG840OtNxOGbIJ/t8yCofWmzHr0aCIb90p6csGtfXDKs\n"
	"U+s+dFlX6CR9XTOm7qq8nrhBHwULIetE+rJIQ/aUmf4ph5PALwWO7s6NHfUyhbfR\n"
	"wUSrf61eKqqG42qejGECHID3wxr8sM5ip5MNKRfzkOwFeobKYltKSsjgciLlGgV3\n"
	"GNBcUy9hBhFQSMovdEgM704u5l+HAQXG8f+/+gIqlv7LDHWCuHyK6ErHlIMxyZuB\n"
	"cdqwtMUpAgMBAAECggEAAlCMgpLEt2yQ39hTs/ft3GZ9D80QhGR53xukB4yg9uAP\n"
	"q2F994kAeoarvrimDBiSOmWh3gJ/A48qXAzzBwY1E3BpnXGXC2jKfO17V6KrrKbm\n"
	"P5MaWb8Enl3L2ccsYQSPlw5LksKTLbb22tXYJQDD605Th7wrcpDaQNsfxXtt5k+T\n"
	"4/NaqiEUX3ev2WdlftVvo681YJvvPx4YIjUc2Czcif/BtOLwEg9V7zuDRes3gKou\n"
	"JHs8fxR2LoYT9ZuABTzphfHnp7/ZjGH87Zc/BoxbShlgmwaKvc2gno+EeCzzY3An\n"
	"rMM+Mpa5vaceSxJLMsm4XrR1q1r+I8SxCyfijGDUYQKBgQDckGTSz9xbTbqKF8N8\n"
	"ilXKuGd6U/6GCBMZpwrbf17iLoNFdqE/Fb9dG0N8utc5Rv2Fxhw0WCOVXMEC6D02\n"
	"WiLUniPBzp8eB8jua8jENJ1SpgoWeNWgRJq+JuFosJbRVU5ucKvvBjwlHiBIYfTa\n"
	"6nlgQyDxu88Qb9Btm3iPy7d5UQKBgQC2qDcSzHachp56fFUU3p9n/9hWaxo0hkVm\n"
	"6WyhnvAoPmGw5MwbjkUrw/ACmKOH+WAeaEG4heRDzgGwlZTg3+ZD2ZBqVahFAenO\n"
	"aI1uw1+XP3dJ8du7itUAAtVuEAEaV0QfcraBjfaFrphpYqDzCMlv9X5B4PJ873ol\n"
	"0QL/nswYWQKBgHzNa29p1FsJeWLIHYIr2G2TuGGcg2mdygj63wbiZHMBNKAqhwTm\n"
	"Lljlo2NBaaTsSWnXdoAb206ZpFEbzf8iM5ExRjRU0O4yI3zdGkYDK33nm8+pYd+E\n"
	"0jaEU4lkWoJqja2qLW9bjM7H5CZw3xa8FB/m/A4sYfb//eT3UtmywMdxAoGAdFda\n"
	"lNe0qOg54wx0aNGPuP9FvW2EiHYJmI4PSjZhA1EQikqBEwAgYMrxgcXVS1N0fImt\n"
	"aqmlheaePupXpJAYK5lVGdWrUyDv2i/P/f/lUAH1qhyp959rIhGr/emlujBhTKKV\n"
	"Spmwrt9RZraSi5pKK8yy+aUc7qTeKV4iycxMdSkCgYEAssXEuH4nHm2y6K3JWGLa\n"
	"b1oudr4qWoGlRn4nOxN2iIXGX3eZlU0RIOPEGBM78P21Rn9s57esErZaN4NArGqZ\n"
	"TjH37wPgeeXN+lY+Hl0jvTOCE5by25xtIZ3MktgVXNO9oQuUFM8PUZxA64UDQXPA\n"
	"0sWSw1ipYayNx2O1hytTaxU=\n"
	"-----END PRIVATE KEY-----\n";

static const char test_key_server_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQC/pNKkcTnSPrVV\n"
	"YEvt3kUUBX72UnLYHJWt3x57L0y+AulcHvLI5TL0uB1zXW4ATqCY7T1obsXmHBSw\n"
	"nt5DBjSNhzfRDUr2IspQ0ssfuNUPi5JOfNZoLzpNS2ITOGwZCfp0VavayZvrRfqI\n"
	"i05NSRFQpnOaJruSv42aMtc+mBZ7NYqreif3ZjH8+IivmJhaveVv1JHT8LrLD1S5\n"
	"WOlqoqybRjYiDxsa03idn2EUiRLYXxtRMuLh4hZWJXa+RhqUkYj6yUCsNdEJKZQH\n"
	"6ouvB7ddXHBRGrrH4IIcgWx36kazZKxv7pcrANp946rblkENV0G+Z+0ePiOF8yNz\n"
	"T2ZxG4SvAgMBAAECggEAI2LGtjBl8ck8aFBIlNpWvPSq1caxh+/3P0yUb0Bzlh4p\n"
	"gqYARFH1z7PzVCrrNclO5A3iKddSWUPUGiyrc4rAx2UxTDt9HOedncDeWrQhOyaV\n"
	"VEK+wCwAQudpa40egJ0UDskG23YggRfBw9adFa4pMVAaxlrihZ0zA0bh8Z/ZftQ5\n"
	"M7kDM3k1TxjWK1CN8rS4ZGjw2zrjRE1YpUh6mWwDBR1PHtqZkIMjYyMSTdHKvz3H\n"
	"A+A6aNJvNFMmG5h3aLelQSIYHRrFsJMEf8zMG0DcgNVsEgofi9P615O2X6tYrD+S\n"
	"m5igHGtCJXOK9IZ6YQeYExAJBHYfu7F5/MHGF/DYWQKBgQDmRiAuiqZ5mPq8YyBi\n"
	"ZiQ3Yn52hNrnDyTRYa92pbvbH67RH3jImmtmo6etGeFJXXoj3pst1VBQNS9tswTD\n"
	"QyfEI0o1vH3m2Ik3gQRl+9wcLYxbojEWooOCpJo1gtfAUYccWjHe+3bcAXWPLZhh\n"
	"Hp+KzRG/wNo10z5ocRsBmEYEzQKBgQDVDd6u15h173cN8LmYnkBhovB+BA2LfBlJ\n"
	"2aiP8cJQ62Pa9+5MV9Dau/OnLrduEUFIZSH42cdm6fiWAclj/HPReeXfkFpUBcA4\n"
	"P9/duoMLzYF9sDLz90E6X8DXDWgnfQCkLckqO5xjILqDK3nDFky67VtsCZH1UV25\n"
	"wWk+M82PawKBgQDVFADFcFD5ZeBmIAegZcmPYlmJDAiPFElKYmz9igCZk+is48Vd\n"
	"Qt6s/DS1DaSUwaW6uUq4j5GgloZLqQJ4OJT8fnc14DRUPvxB2uWaBQM5I8CkLiHk\n"
	"Qv8UDYIQkAFamVY/mwpYvjHPBJ6mnVdKTw7sXjPVTvvcIJu4AyktQZ1Q5QKBgQC5\n"
	"axS9/YwGN53ZWANuO2u0jWXXhhdzqVEo4HC+tZxzaCjDTLrrXhG6C5EFkra45/N0\n"
	"2e8y7/WGL2HUy0FF71OsnvXcF3lFXqvnSE/AXK3n+7YSeOIfSLRP5T2i61wV4chJ\n"
	"Gj/UrYRxEO7BcXjKvAGTPTcvUzTf1yxGmXjKVbM0eQKBgHj5bdATSxsOVNt5Ndar\n"
	"JptHy+3e1OptIRXNmIFM4L9JG1VmxU/oxVbMRCDkPUEZnLE+Vy8vMgvT7rMZWO3b\n"
	"6rFNX7G6qU1eGS4DJLYwbfV1LTBv5pn3e6umNytL62V7pzcXbJxddwZZza9j3k3m\n"
	"D4ey/WlqePQKi0EJFwN5B5ul\n"
	"-----END PRIVATE KEY-----\n";

static const char test_key_rogue_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCbepd2jy+/BnQA\n"
	"rJDfgfV7T5thCmJOXRK9THPESnQNSfiyA8EF+tcgxfU9Qw+0nsQj3NQYFI20ar8P\n"
	"IvDpFTq90pQMSekvIhI+j/TPS6CPTbFZyzHUKYo4o2z31tuoQQlVEOf1mo0nwRQE\n"
	"HAqPUMkAdXj0KBHpUL/rxF+QC29iq3habTZ0iF2tkNEeVTD/S7pr5706R11bNqfn\n"
	"hkl2t3lVFwAsLb2xhW4rI7dJfAECk6wfjusuQfecL+u2dgTPb+1N2oSbalgQpuh0\n"
	"Lj/b4ycpnPuosM/XJY5ZZEWuYu932sy/eWH6I+aTaCLdXRJfX5gmjuT9GV7T29VA\n"
	"bXu8cVK1AgMBAAECggEACACgJsje5xZLcTTF7iMabKLfzKJZW07cuzk3T4KaL4w/\n"
	"odX3S49UyZ82wf+fdtH3JstjxUDa5vmEOktiRUpDmufpmSpSt2DUZJD0mO4mZknU\n"
	"QjARsVRZWhSbSV8Ehkf2qtYIbQfr56sUlH48Uue7DhbTHL9VO1eIe/eVsux2arMe\n"
	"bBMBmrQhSszaSlNb/F+DR9tdj4yJ9KCQNTzz3FbALPqmVmYLjp58dNnesqDId7Im\n"
	"OAqsFVo4wASo2Ad9Bnn7M8MyU2JDBXiC0AlT7TVUsXA2SF/62ExwPP/JBypUWNXA\n"
	"jhJqioQde85IC3LEgcSZEM4espPNRyHlLXczZIzezwKBgQDUI/15jTvJqAFKJ6U8\n"
	"pT+z/kzHLqpSGBFW33/lmMU5AJdff7v6/aH0bR45iau7vcs/70Jr6zSDjIdTHK50\n"
	"R8YkpYkk2vI24MH635UNaJPmURO5fs2/qlk0JlOPs5yu5PXuvriGI7dzqyp8oMCl\n"
	"hbwW9JWmjvU01tDvOdrdbsX8KwKBgQC7n6euzzXpa1w3c7wwBiW0B+KFmoZz6zwf\n"
	"TGrw4SaQ2QvhGmjiad0/IJGzMNhYj00Qm/LiGR+vaqlG5m5/+aqxkUeDjfsnURhS\n"
	"+FLsQl1DV7CHbA72mmq9B5bjRCYHQxW88IbuXFM6Iey7v2bV3u476YUDbwbXowUu\n"
	"2wts9C8cnwKBgEilpoj4p6/QG9j0KK7S/DS8cjiHr4X7ffyc/yR2I5v4qt3mVU6H\n"
	"iu20bHRRxAC/5xmW6s0gN9SQzErW+JsTdTRZh9SaMfY/E87AwD9eP7/QpguQ9A6d\n"
	"3HxyX41HefGesOW4ZGJzWsB+rkcNmctVN+s4iQMH08rrgZNa4auQ4rYPAoGBAJQw\n"
	"C06kVl5f71vUy0Pa9xh0SdNgMuWHW9sUjjpmegFZjGpkY4bAOoDLhohTAe0gcau2\n"
	"oGU3lrEDu2NGSOxHEyxgJG2hTEbHZEDT5Rq5Z9PyhHjRPhhD6h4WynQBtU9zCs5J\n"
	"4yiMPyfg94tqJxywkNU9IVOO84aJOWTCmQma60LdAoGBAKE2F3m6uqSmN+MJbRLc\n"
	"pDznMYr8a8JP7gqp73iBFvRc5atnzIA7qOqD68UYsQiQKyDsKGZlXMFys4gHnXbO\n"
	"8F7w6k65Cq2MwF+lF449VbVYwUsgmYbC//nElU2GpFimrfEWwU1O2nzhuLAYa1s7\n"
	"bQxFNb84LZ7zsO1T6QVFSvQM\n"
	"-----END PRIVATE KEY-----\n";

#endif /* _SDRP_TEST_KEYS_H */
