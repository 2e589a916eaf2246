/*
 * track_recorded.h - sessions recorded on Debian 12 through a byte-logging
 * relay on loopback: each REC_<session>_<n> is one read(2) of one
 * direction, as it arrived (n even/odd does not imply the direction; the
 * comment says it).
 *   HEAD, GET, POST, H10	curl 7.88.1 and Apache 2.4.71
 *   POP3			a scripted client and dovecot 2.3.19.1 (pop3)
 *   IMAP			a scripted client and dovecot 2.3.19.1 (imap)
 *   FTP			Python ftplib and vsftpd 3.0.3
 */
#ifndef TRACK_RECORDED_H
#define TRACK_RECORDED_H

/* client 122 bytes */
#define REC_HEAD_0_LEN 122
#define REC_HEAD_0 \
	"HEAD / HTTP/1.1\r\n"\
	"Host: 127.0.0.1:18089\r\n"\
	"User-Agent: curl/7.88.1\r\n"\
	"Accept: */*\r\n"\
	"Accept-Encoding: deflate, gzip, br, zstd\r\n"\
	"\r\n"

/* server 226 bytes */
#define REC_HEAD_1_LEN 226
#define REC_HEAD_1 \
	"HTTP/1.1 200 OK\r\n"\
	"Date: Thu, 26 Nov 2026 15:34:00 GMT\r\n"\
	"Server: Apache/2.4.71 (Debian)\r\n"\
	"Last-Modified: Thu, 26 Nov 2026 15:33:58 GMT\r\n"\
	"ETag: \042c-6612fac130c84\042\r\n"\
	"Accept-Ranges: bytes\r\n"\
	"Content-Length: 12\r\n"\
	"Content-Type: text/html\r\n"\
	"\r\n"

/* client 130 bytes */
#define REC_HEAD_2_LEN 130
#define REC_HEAD_2 \
	"HEAD /page.txt HTTP/1.1\r\n"\
	"Host: 127.0.0.1:18089\r\n"\
	"User-Agent: curl/7.88.1\r\n"\
	"Accept: */*\r\n"\
	"Accept-Encoding: deflate, gzip, br, zstd\r\n"\
	"\r\n"

/* server 283 bytes */
#define REC_HEAD_3_LEN 283
#define REC_HEAD_3 \
	"HTTP/1.1 200 OK\r\n"\
	"Date: Thu, 26 Nov 2026 15:34:00 GMT\r\n"\
	"Server: Apache/2.4.71 (Debian)\r\n"\
	"Last-Modified: Thu, 26 Nov 2026 15:33:58 GMT\r\n"\
	"ETag: \042fd5-6612fac131c24-gzip\042\r\n"\
	"Accept-Ranges: bytes\r\n"\
	"Vary: Accept-Encoding\r\n"\
	"Content-Encoding: gzip\r\n"\
	"Content-Length: 3114\r\n"\
	"Content-Type: text/plain\r\n"\
	"\r\n"

/* client 132 bytes */
#define REC_HEAD_4_LEN 132
#define REC_HEAD_4 \
	"HEAD /index.html HTTP/1.1\r\n"\
	"Host: 127.0.0.1:18089\r\n"\
	"User-Agent: curl/7.88.1\r\n"\
	"Accept: */*\r\n"\
	"Accept-Encoding: deflate, gzip, br, zstd\r\n"\
	"\r\n"

/* server 226 bytes */
#define REC_HEAD_5_LEN 226
#define REC_HEAD_5 \
	"HTTP/1.1 200 OK\r\n"\
	"Date: Thu, 26 Nov 2026 15:34:00 GMT\r\n"\
	"Server: Apache/2.4.71 (Debian)\r\n"\
	"Last-Modified: Thu, 26 Nov 2026 15:33:58 GMT\r\n"\
	"ETag: \042c-6612fac130c84\042\r\n"\
	"Accept-Ranges: bytes\r\n"\
	"Content-Length: 12\r\n"\
	"Content-Type: text/html\r\n"\
	"\r\n"

/* client 121 bytes */
#define REC_GET_0_LEN 121
#define REC_GET_0 \
	"GET / HTTP/1.1\r\n"\
	"Host: 127.0.0.1:18089\r\n"\
	"User-Agent: curl/7.88.1\r\n"\
	"Accept: */*\r\n"\
	"Accept-Encoding: deflate, gzip, br, zstd\r\n"\
	"\r\n"

/* server 238 bytes */
#define REC_GET_1_LEN 238
#define REC_GET_1 \
	"HTTP/1.1 200 OK\r\n"\
	"Date: Thu, 26 Nov 2026 15:34:10 GMT\r\n"\
	"Server: Apache/2.4.71 (Debian)\r\n"\
	"Last-Modified: Thu, 26 Nov 2026 15:33:58 GMT\r\n"\
	"ETag: \042c-6612fac130c84\042\r\n"\
	"Accept-Ranges: bytes\r\n"\
	"Content-Length: 12\r\n"\
	"Content-Type: text/html\r\n"\
	"\r\n"\
	"hello world\n"

/* client 129 bytes */
#define REC_GET_2_LEN 129
#define REC_GET_2 \
	"GET /page.txt HTTP/1.1\r\n"\
	"Host: 127.0.0.1:18089\r\n"\
	"User-Agent: curl/7.88.1\r\n"\
	"Accept: */*\r\n"\
	"Accept-Encoding: deflate, gzip, br, zstd\r\n"\
	"\r\n"

/* server 3397 bytes */
#define REC_GET_3_LEN 3397
#define REC_GET_3 \
	"HTTP/1.1 200 OK\r\n"\
	"Date: Thu, 26 Nov 2026 15:34:10 GMT\r\n"\
	"Server: Apache/2.4.71 (Debian)\r\n"\
	"Last-Modified: Thu, 26 Nov 2026 15:33:58 GMT\r\n"\
	"ETag: \042fd5-6612fac131c24-gzip\042\r\n"\
	"Accept-Ranges: bytes\r\n"\
	"Vary: Accept-Encoding\r\n"\
	"Content-Encoding: gzip\r\n"\
	"Content-Length: 3114\r\n"\
	"Content-Type: text/plain\r\n"\
	"\r\n"\
	"\037\213\010\000\000\000\000\000\000\003\025\227E\266\254P\014E\373L\245"\
	"\032\024\016M\240pw\351\341\356\316\350\377\373#Hr\327\271{'\244\206\313"\
	"\240\336\264\2661\312\270\333vX\331\232\220\367\3222C\363\267af0\227T\010"\
	"g\357\036#\332\022~2\272\030\376\326\252x\334\032\225\323XI\230\225\215"\
	"\304\313\350T\261\014\001\042 *c@\334\241\356k\315\372R\314\025jz\356a"\
	"\260\366\316\026>\016D\301\016dq|\036G_\267Z\202\211\205<[-\240(\265G\024"\
	"\322p\362\362'\307_\326\220+,\006X\305e\371\023\214\337z\264\2068\347N"\
	"\010\237\230m\312\244O\304\0066k|,\011\212r8\357\022\360\rZ\307\230\177"\
	"l\203\037\237\305\334D\232\230\243~\017\017:Y_\275\256\214\035\320\274"\
	"C\035)$/\325\210qz\230<\246\271\332\345s\352\252\203^OUrNA\134-U\351bd"\
	"x0|e\305o\340\042.lk9\302\3066o;\202i\023\336\353U\274\000\034\332\352"\
	"\2405\244\365|S\203\r\231\021L6A\3371\032}\235\276g\202\225O\374Q\316\033"\
	"\026\316\323#2:\356\004\251\313\252y\312\303\227\350\003\222\375\261\352"\
	"m{\037}\207\237\026\010\235\311\363\275}\316\025\216\202DL\225\256\027"\
	"\273\253\344\252'\276\241\361-\215\363\227\304\346\134nl\365VB\370\343"\
	"\211\317\311\314\020(\3065hm ~\301\203\246\202\314S=\234\004| \217l\245"\
	"A\254\204\340\347t\223hX\242\304\356\201F\266\273\271K\247A\020Q\267\311"\
	"e\250y\02695\003\2665\276mn\370jQ\250\321\355\307z\323\350\310\006\005"\
	"\2532\031\014\260\016\371Q\3454\254\317&\310\344\235\014\320\325j\134\233"\
	"V 2\343\351IY\206Y\264\014\361X\347\205\263\034S\224LF\364w\022\367qU\200"\
	"\311E\376x\354<\316\002\202\361\376\010h\027\315\305(\261\227{&\356x\034"\
	"\271\277\303\232\245\344kw\246\243\007x\233\363\327]u\216\223>!\306\255"\
	"~7\256\376&rc\031~W\344\212_+p\333\303\014\237\314\2579\017\2409y\372\011"\
	"\365!\341\262j\310\261\272\313\241\202\371\370E\372\204\321&r\360\243\255"\
	"\020\323\327\334\333zK\220\231\373\272\343a\246\375!\326\320\240\271\246"\
	"\224\372\311_3e%_\r|\340\224\367\331m/vE\332\217o\254'\365\325&\351W\077"\
	"\245pe\037!y\231\250@1\320\267\3068\373\033\3751\330\230\022$/\313\177"\
	".|(iI\205\237<\372\300\270o\n"\
	"\327\000\224>b.\007\334\006\241\0368#\365\227\267\315\2461B\350\245\301"\
	"\256\260+j\353AJ\311_*\032\312\220\307\031\321\304\233Lj\363\222v5R\345"\
	" &\016\250\374z\201\025\3669\r@\037z\333\213]:B\307\331\260\243~\240\014"\
	"\257\3708\336\262g\340\347v\233\030\011w\3429\0216-I\3540gDJ\256\334\220"\
	"\323=O\n"\
	"\302AC\314\042\301\011||\263J\002B+\214Z<nn\363\251\253\001G\266`u\227"\
	"k\233.9PP(\037D+\204K6\0023\006\362Q\367\313^\035\352f\217\030H{\223\236"\
	"\347 \315\017\343u\334\010\353\026=\002%Ozf\260!\370q\263\315\373\304a"\
	"\245\330}\314\244\022'\341^\016\265}\204\r\277g\213\210\345D=\3201d,&\013"\
	"3\306\376\202z\023\206q(\275\254\026\004(\266\077\216\006Z\134\360y\033"\
	"\315QY_\331\257E\337>\236\377\241\207\005\215\011'\223\257o2\357L\262\034"\
	"<.\243\252X\232\206[\333\240\234^\317\375\216;\251\333nW\225\323\024\230"\
	"\205\005s\027\310=\334ohs\246d\357\344\273\0422@\320M\274\3556S\363\373"\
	"l\316d\303\304g7t\301\307\315\351\244\0339!\277`\003\317z\270\335Dsaf/"\
	"]35\231\217\272\177P`\235\364\007\235\n"\
	"\316\246\257\025\217g\305\222\342\353\017\036\205\333\204\2633\376\225"\
	"y\255\242Y\026\263\322\253\341\361\336\365k\200P\310E/\241\337\257I\014"\
	">\267\370_\352\247\026\365\254\017@\267kv\021\214\027\217}\246\373\241"\
	"\356O.j\376\354M6N\227mPeUK7y\353\277x\223\325\261k\213\241z\3728\365\213"\
	"\250\263Q{|w\134\011I\371+b\002\024-\201\207\275\221\245|\312\265\355\030"\
	"\253\356y\224\205=>6\325.\325\210L\235\204c\304\246\205\025\250\375\373"\
	"!\042\343\023\026\323x\252\331\350\215\0427\201\351'Z\213\231o\257@\214"\
	"\357\245\006`Goneh\262\011\177*^*\335\274\302;\361\341e_\3261\315\217K"\
	"\305\240\241\263\343\327\006\327\r&\326\227\271/\326\037Tb\024\331$\321"\
	"\001\332+\206\036\235\277\224\330\301\001\134;\232]\245\354\031!\343S1"\
	"\011\017\211\231\324\353\336\364\356\346\363\312\037\324&:$\016\352\254"\
	"{\303\206\2143\373\037\212$E\373\313\355\316^\311\245e\366\366$QB\334\366"\
	"7\004Th\370]\350\325k&F\376\375*W<\303L\036\242;\332\340v.z\336\353_;\177"\
	"tg\037\330\325\224\346\322 `])\352\010K\355\301\374\221\323b-V\005\027"\
	"\371_\271\024\210\241]\n"\
	"\324R\203\354\274\261F\211\214x\241\077I\n"\
	"S\032\024\363Q\322\345\254\224|r\274VQ\354\275\345\367q\312\272Xk\207W"\
	",n\246\025][w\343\214\230\321\037\030\307\006\314MR]\277H\330\330X\375"\
	")\332\377df\222\224\355[\345\356\267cz\026v\234*\376\237\023\346\311\220"\
	"\230\25640\322\356\306\017\302G\240\237`'\266\377\322\346Sv)\262\325( "\
	"f\310\346\225y\352O\320Y\005b\322\011<\334\341\001r\3775\245\337\202\364"\
	"\373\366\256\310tJ\311\232\221\275\347\265Z\032H\336\264\006\042\224\367"\
	"\261L~U\014<\306\211;u\313\033`\361J\242\243x\006{\263\364\2355w\222\367"\
	"\077\213\204\267/\rS\273;\177s\210\211\241\273\340zzvm\250\030\351\335"\
	"\311ZP-\016{\301 \270c\322Z\247\347\367\362[\227+\300\211d_\332\273\003"\
	"E\275*Y\177\336\016\340\313\361\232\2220\337\313\2376\333\023\042\272\354"\
	"c\077\353=O\334\334\322\300\017i\321et\016dG>\336\257\273\250DcC\244w\356"\
	"\033P\261Cn\354\257\316\216b\360\242\3441\032&\243\273(\377\134h\226\211"\
	"\323\022\013\325`\307\310\210\303\211\272\256\245X\361!5\215=\363Dd\325"\
	"\335\270qI\251\002\016_%\305]\n"\
	"\020j\327O#a\3237#\227\350\365E*\325\350\272\261\256\317|\031)\345\271"\
	"U,\226\222COn\035\361\013O\031VL\256a\343\212\240\320\254:\250\004;1\334"\
	",\375\217\201`\002\224jP}\313!3\263\273n\371\024J\003\223\021\314\340\226"\
	"\011\216\307L\307,x\017\354k\242|w\261~\320m\276\244\375\273;\315%\011"\
	"\240\224\333\327QE\352\320<\2016w\370\007\300MS`\335\342R\077\262\217B"\
	"\251\311\347\350#EF\026\212\241\177\311\226\321\366\210U(\343\270\2513"\
	"\025\372\036hX\343\346c1\313\344\321\271aq\032\373\264\206\356\011\223"\
	"\307y\014dGn\362\272\042\rR\271\236\244\023\355\024\377\267M\200\360c\240"\
	"\311\006\302>\242\352<\203\257\227\201\n"\
	"\337l\230t\352\356\363\265\013\340\247l\303\311\321\3151\2334\245\304\254"\
	"0\0111`_\263M\374\220\304.\010\260\251]A\342\236\251\252\257\377\335,\007"\
	"\262\210\010}\027\037\021\202\374(\326q\376\214\347!\263\371\220/\042\376"\
	"\036B\362\366\222\021\205d\253o\324v$\006\000O\004Cq\034\216\363\077\300"\
	"p&F\177\242\250\240\035f+\300\207\372\372\0428t\010-\3530\276S\210\234"\
	"\373\027\303f\310\215\025\302\257\374|\202\201k\3515\322P\305\301~5t\001"\
	"\321\214~\374\332\035\314TEWPr\331)\357\031[\030\324e\255\242\261\377q"\
	"g\206\310r\302\316\256'\212\336Gt\340Zy-\367a\255=\262\256'\355\255\367"\
	"\017\326l\224\341\370\005\270\366\360\227\253\334\221k\373\360\215F\016"\
	"\021\327\365Ox\330L]\333\363\212\205\371\237j\n"\
	"\310t\220~!\013\263\007\033^\345\256zf\217\026:y\011U\245\331X\363\321"\
	"\017\023\325\001\030\303\245\312\360}a4\307\350\313\352gc\077\017{@\211"\
	"\275CXk)\276\030\317Ki!\027\213N\231\376S\310B\343|\026\243\n"\
	"\376-B8\202\262\277\345\372\201\014\377\365\022\215\006\314B\303\031\235"\
	"]\0422r\223\305,XL\245\305+\316\014\274\244\330;\24594l\277\234c\263.\372"\
	"\205\252\265\371\026\370\276\305laP\042\232\246\350\213\0329l~\251\213"\
	"<\241\030p4\346\375\230\3337\330\367<\224\372q\010'\312|\003,\232\011\344"\
	"\241)\306\310,lT\276\355_\213\352\274\326\214\324\267s\n"\
	"\277<s\225\363\2623\003\203<\363\242\312}V\325\032\200\211\177[\201F\326"\
	"\260\236\200k\362\322nTL\023\362\303\365\367<\350\373HV\316\221\037h\302"\
	"9\221UL\311J9M\216\322\376\303\212m\235\200\134\210h\205\014\316\237\304"\
	"\234Wj\002\272\016\355E[D\322\355\375\324M\201U\013\267\177\306\346\030"\
	"W*\200\204\275y+&Wr/\203W\354;-{R\242\253\224\321m]\344p[do\2733\023\042"\
	"\322\311\230\375\255\005@XN\214\315\321M!\213\275\023\242\354\020s\335"\
	"\332\372\343\321\033\351\001j^\034\311,\312\254\244\316%\357gH\242\321"\
	"\321\372\017\017\211\213\344\317vW\346\037%B\035-\r\226\207\203\201+\010"\
	"7\363\333\214\207\042v\240l\014K<\333\2428`n\2166\350v\004\256xd\177\231"\
	"\300\007K\365+V\031Z\316\022\234\230\2005\204\373F\306T\345\263q,v{,\226"\
	"\261\000*\021\314\324\220\205\031\344\373\232>\370\231\371\205`\227VcX"\
	"\224\323)G\301\211\220\324\205\203&u\322t|\272\235\355\034\370\315\266"\
	"8\232\220.\301>\302\310\367\010_`\023[\344\000\213\302\232\247\200\223"\
	"P\265\014-\077\360\204\311\214,\021\242\222\270\267\304@\036Ho\210\326"\
	"\374#\311\251Xq\215\021\2773\037\313\3412\2419%I'\270\204*\376\300Q\000"\
	"/\016\247\001AP\272\364\000\331\216K\227\223\220\330l@w\344\213\377\326"\
	"\211d-k\227\2566p1\334\351\364\301i\014\356n\236\315\330\377\016\211t\276"\
	"m[\231_\374\203\237\375\235!{\042\200&\240s\232\005\326l\336\310}\367'"\
	"f\235\315\034!\363\331\077\042w\361*\330\213q\215\263\077\3742\362\013"\
	"\355N\317\236b\3018\201\372\261N'\312{\021\262\254C\312\r\227y`&\271\200"\
	"\342\241\250\343\254\004\221\303\042L\016\233\365\236^8\215/G\226\260\361"\
	"\324\024\322\225\241!\3621\004\3722\277\311\251C\262\3320\0356\266\352"\
	"\267\360\312\317\201\310\220\270\366\255\225\363(\006\312o\220\0079\273"\
	"\234\255\243\2637\365z\322A\177U%U4\003\227\367\303\255\301;O\210\340\306"\
	"\313#\254\253*\254\027#\352\254/m\277\026\367C~g\363\255\331\321^[\343"\
	"`D \r\032J7\300\340\310\300>\263\310\220/A\013\r\377\016@c\376\270\042"\
	"\264\240L\246\375\340\342m\306\312(\3510\264K]\360\322f\372\321{\274%4"\
	"\134\375=\302z\216\037!D2@Z\244\213[\077BZ\302\322\333;G\035\350}] \241"\
	"\231'\263\r\377\032\236`\026\221\201=\211Lah\351\020;L\004\367J\351\n"\
	"\307*\004\042L\273\227K\220\344\263|\241E\300STu\373%\347\207\360#R\360"\
	"\354FL\325\347\003F\363|-\004\311B\020S\361}9\266(s.\177\347\033\013\374"\
	"\003Y$/P\325\017\000\000"

/* client 128 bytes */
#define REC_GET_4_LEN 128
#define REC_GET_4 \
	"GET /missing HTTP/1.1\r\n"\
	"Host: 127.0.0.1:18089\r\n"\
	"User-Agent: curl/7.88.1\r\n"\
	"Accept: */*\r\n"\
	"Accept-Encoding: deflate, gzip, br, zstd\r\n"\
	"\r\n"

/* server 397 bytes */
#define REC_GET_5_LEN 397
#define REC_GET_5 \
	"HTTP/1.1 404 Not Found\r\n"\
	"Date: Thu, 26 Nov 2026 15:34:10 GMT\r\n"\
	"Server: Apache/2.4.71 (Debian)\r\n"\
	"Content-Length: 236\r\n"\
	"Content-Type: text/html; charset=iso-8859-1\r\n"\
	"\r\n"\
	"<!DOCTYPE HTML PUBLIC \042-//W3C//DTD HTML 4.01//EN\042 \042http://www"\
	".w3.org/TR/html4/strict.dtd\042>\n"\
	"<html><head>\n"\
	"<title>404 Not Found</title>\n"\
	"</head><body>\n"\
	"<h1>Not Found</h1>\n"\
	"<p>The requested URL was not found on this server.</p>\n"\
	"</body></html>\n"

/* client 183 bytes */
#define REC_POST_0_LEN 183
#define REC_POST_0 \
	"POST /index.html HTTP/1.1\r\n"\
	"Host: 127.0.0.1:18089\r\n"\
	"User-Agent: curl/7.88.1\r\n"\
	"Accept: */*\r\n"\
	"Expect: 100-continue\r\n"\
	"Content-Length: 4053\r\n"\
	"Content-Type: application/x-www-form-urlencoded\r\n"\
	"\r\n"

/* server 25 bytes */
#define REC_POST_1_LEN 25
#define REC_POST_1 \
	"HTTP/1.1 100 Continue\r\n"\
	"\r\n"

/* client 4053 bytes */
#define REC_POST_2_LEN 4053
#define REC_POST_2 \
	"8M6J/NijROnJ6Tjk5fjP1UzAJBAFxOPc2Eag3ERtUBHRI6vBNHXDrgeyTh4JbZKaBrCYHw"\
	"OkLHfX\n"\
	"7W7gOm3TmhlhMQ09BwXMNdU52MzpQ6nm7eCm8eu+ySNrshI27q8vjMW99Ll3K8OSdfDJZ0"\
	"COJg5Z\n"\
	"CKTCFv/ZzhnQmZdEv16oBsocI+YCWRCO+QI1Yd2dka/zWjSOpDCi6u+qPsHA7pYltXuAar"\
	"zNhgOt\n"\
	"MUuLn93dfLYBSl28uopgtJvokguArvLISvGHrQLKkZ3my56rCH0WT3T2RMd3CZRFRSGPR7"\
	"UzUgFG\n"\
	"uMrS4h1MlFih/i8c7Bco10nYnVNAxp7CJv6yKvx2GvvU7cAZkGIkcgpodXz7lW8CDCLxRU"\
	"+Nt2yj\n"\
	"XSoUVUtpdKE91H5LIwz5xgawhoFiA6sbZdz85pdJiRLxKX2+UHyvBp1/HZh/Qs/6w2mML/"\
	"BygyEI\n"\
	"+1U8jImHgGWDSkoHOQHICtWM8jtPtIvO77YksJfXMUQ8oim5siVRPs6rQ94OkturxA4nCW"\
	"eCLBc2\n"\
	"CS8+LJbXhviWcJt8W4rQiTRAK18cFAoKqmpHQOHurpqEQSPHIPBHVt86V6LG28qJ+UCpnp"\
	"G35FVn\n"\
	"MwAEZ47tftcHt6ZYTDuQpIa0RkPSNW6jdFwxgkSSbyX5ErVknrVsHEnfX0r3wZzQWTjuPX"\
	"ycVhEU\n"\
	"AEJoDGhuI6JLOJZLtJXK5V6w8V7OjaJWDAQX5NrdUslQGJBxwxZmpAVmZM4Wiwob9DJ0Pb"\
	"CIVLWV\n"\
	"vJtpTjwCr3j+VOrv90MoIDhyfGwc+GazBYe45/VQnZcAK1yOCZ9GIUcdDT2uKbf9X+dY+2"\
	"6VPGwm\n"\
	"fV3Pqu2jWXNWSn9dfLsRA57GlImRg5wYjhmIb8DbHOKmdZc7iZsJ8Mpqbkh3gd/5Hm4JzU"\
	"WQXldA\n"\
	"1+AstetIuXSSs5uhy1c6gFZZscymFpjsoBI6SZpaGsMaaRXdBH9JgTXENUUIWXmM3Pea67"\
	"6nzcgI\n"\
	"XQXYj6ZixPyhgm63sWrTqwsowJWK41dmHQX2fCY/cB1V4T0Cwk4TcyHWItibvvmIpyBUkE"\
	"n2NQAn\n"\
	"fF8UPWs36uxCizyZXgKRlZBbIEI6Ud1jlY5mDysY7qv4U/SOJ5Z8ePZ5L/Bx7OOuKlJLe7"\
	"/HjDEA\n"\
	"j6GVFR4d4JNrC0QAxV6dxOPC/Oo68a0VPBzp8CE2nqnLKQMM6QsmKvUlEDuxahjktLKvPG"\
	"BqC/dT\n"\
	"dU6ViAPp9JUvFkeYO//TaUsxPbP0ysSoR27+tONGV6PovAiJa80/i2pNXsx7iw5PlIwp9o"\
	"PyLt+4\n"\
	"roNy4oeERAwr6ZpKQIZwl28eTiXpSniAPzQeiqqPgNgmyUzr0O/1XEYz7NxzP7mVEqV09D"\
	"LehpNm\n"\
	"ktMReWnwF5+oxy9x+dHMVpUoR6AfjWgcgjAidjVz6ichZTRHXLvV69DY9viLl6tSTI3bFw"\
	"YBW44f\n"\
	"yCx3qfyfrjkBQhlF4C2UFZPLkbM7cLoGun5oqCG9t0+7YO+XeonvLcnUnHEo/b+YrepFjw"\
	"WHZxqh\n"\
	"2SNixKmico6ygFIfTdg6kHyFJVJN5MVZfKOA1vkFri6NOBZNqplerD1f598iaYu/Rr54uk"\
	"Vqf5uE\n"\
	"EjnPkgKtc7J6oeoGy85P9zTxAtTdprFu9sHS86/NCTx2OJ6BtUQ8IKMgTXtCwawMcRsyaY"\
	"a7xR0X\n"\
	"L1mDw4wlMP58u2jTHvXcJmYxYs2jpelFUlzRdyNStmCrPIpfO72NKehY5bRmPD8oqQqQg2"\
	"ed/NCb\n"\
	"Z1tIWLfM1RdiQnI8YFGlv895Ki45V48TEQb8yd6hL45zxJzySfherhSFKQEpAKNMrtOvYB"\
	"nVmBSR\n"\
	"PsILTVeaCZOrVoYtI27P89RVQftVjnbveRZbKVnYnpoOIBkfO58Rkn+3FY/Va5v5tDbi+f"\
	"kb3sh4\n"\
	"Hc3sUfdbVo1vgWHakGF2k6W3x8TENxGID0lTHBkKfCPYRtdhLfO3dijO3GfxuqoVgemF5E"\
	"Ht9xJs\n"\
	"QFKaN46c2UpI0pMToJtsbZXxVImojtSNMrHaONT/rvURhOL58Uxare9j62UWmGTnajQvUV"\
	"lJzhfr\n"\
	"EH8lfRtS1YlLIQySNW2wSUif7PzwVosRUGYAflZVclUUHsTfO6uIqNJ4pWJSJuz0TqL7iR"\
	"18Uvts\n"\
	"gCmdOtzNCnHWz48unOPBNT4Fyw4ccHoqZGgmRZ3n62aLrrfHgFX9onlByY8gkx6OwIbK/m"\
	"0Kb6T9\n"\
	"GhTVbYGsNsOdIArz3gLOkknhhvdqn9KyxL5ZIauNaxN3VeUKmr5Jh2OwY1XPgk1f/kHXsQ"\
	"NTqw/a\n"\
	"fLWg0fmcPcxhjFb1bWPBGPWxJ7EF5PSPeFU/lh7fztHhy4spwIt0tSiwIG/IdRwugYLmiy"\
	"WMpk6+\n"\
	"6PPGCTewL+JV41bPFd4yIYOcXHXVwJQOjl3QeKnnsLp9XVU/OQnsV5ZCBdYvs5ZbZVAM4t"\
	"aBdZdZ\n"\
	"cudPFNKImIfrv8SYt9FGIk/2yO4as/2V3LNFB6rwO4G0cmoN9xldrkW2yfjXoSNPncoMKf"\
	"5QXaX5\n"\
	"trcsH+87tGG2PMwWaTvbLNrMwAEJWJH3GlkZuY33D9CSSVQnU3pPy8z3HDy7IUtfBHGash"\
	"x4RSIB\n"\
	"/v354662ZdYO+EP5A+YYeASBse/y90VH/mk3AJN26t93JdVwBCc3x5eGDf++WmEjArYM4K"\
	"S5Dh1w\n"\
	"Yp4+VhTmPbL4r/ITCodlBRGmLqrgYnlDEvc3JJaCpTUHHU+HS2hKzQTyCQtYQwyblQzroN"\
	"CYc66w\n"\
	"TRmBNTdSJhRuVOiJX3TTVv2msPNMtdgC2FDLPG3ou8VeJGpU2OUgTrNcRnQ4oUa9gbcnhF"\
	"YD5HLm\n"\
	"nXqgc6tqBMSOlfgDR5DU5y/ICxX2Mj9FenvwKj1T5YvJA7iwqA6FcZ4K60eX2Y1c/Niy1O"\
	"VzUaMA\n"\
	"PeM6BNCqY8YTaqPeC5LAHwZcO6f9CxbAE4Xj0ESRCT401gri0e6tsZCeO9H4bb4z4Od2P0"\
	"9w8v1Z\n"\
	"SMBz+Ps0WttdXIlnmXo9PzW5Yp73yA9BOcQ5nK0jFenLprhBIljpb2zFBwfpqtBmB3ypqL"\
	"JlcghM\n"\
	"5HhgmM8h2Na/razATYeoo3D6NzvuAxuarESJy1o6EHCKPIQbEMJYbl+CHjha/EX3MeJ/p+"\
	"aPpr9o\n"\
	"kk4lHRH3bsz+hie5gqEt+niunr9W1GtizgBdKdUc2r50oqtaf4rIcAjhed2jeczjtBo3HA"\
	"ancFR4\n"\
	"XfoBREAieJHlSX4CmZEkrjVnulObu/MUZYJC4Br8NEaz+maYnSMl+F1HqIVpRkfd+KY4SM"\
	"bWqyE2\n"\
	"wWXsP0inuKHk/JOmqZpRHHm5Td4i4suWTHuceJG6mQLVgCKmjEQGSZ72M3E0YOogdpOuqR"\
	"juqQOq\n"\
	"L7Wp9mcXc1VVMNmVcP012TALZ2HJbod4/o7ILqE1oLoMN6oxSsvmFsRQEA7IwGRuXYVU7V"\
	"GCaRHE\n"\
	"Q95iye2aXLQOMdu6aBcOcaGYf7xsaO3y1Ni7jP4yIvKQZh57DvdnfmwP1pb88SWwGgZ+2Y"\
	"W2qSEM\n"\
	"WWfTAm1RSTAfoGaRCWAk8z6Dro8CQQtIwjWT56SkNmSiOExiysOtw2mbpxRRKpz6+6vlxc"\
	"3taG/P\n"\
	"NEMQ/hCdiJlkYa7NCcSGcVCkx6kZrGRqOwnpVmDc801tSlCvHeBSWL+QvSYdlH1QQuIdOT"\
	"By2Baw\n"\
	"ey99uvgGHE5Y5JXirxoz2bZwSJI5nvMK8TJ1mYV5310BDoShX8gs5N2OsgDqFKDS18X7wt"\
	"sjJdYZ\n"\
	"f0WdWdCqvjSNCx9zUIuA0LKbKMO6JtuTh/xda7Wx6fuXhggXhqOYkQ0ARzQED3Dvi0hCnR"\
	"rjOuBH\n"\
	"bWi9NO/Wuc/lcQ8XFf/Q4XRMdOp+TH1q4BcMD2ezingOfAXXRfNGUbioDAtZsaA2gpVmrv"\
	"n+GX3c\n"\
	"IqIwEr+Gbf2IzlSuhWNlhe3XPdapR2DiF7BqHB2UI8b21qk3RXaGTwbAg65g317PRlJf/8"\
	"FcdqAH\n"\
	"UKLLsDav+7VY8GURiHbLy+/Yppwq78C11BgFlfnj4BvqnCWC\n"

/* server 238 bytes */
#define REC_POST_3_LEN 238
#define REC_POST_3 \
	"HTTP/1.1 200 OK\r\n"\
	"Date: Thu, 26 Nov 2026 15:34:30 GMT\r\n"\
	"Server: Apache/2.4.71 (Debian)\r\n"\
	"Last-Modified: Thu, 26 Nov 2026 15:33:58 GMT\r\n"\
	"ETag: \042c-6612fac130c84\042\r\n"\
	"Accept-Ranges: bytes\r\n"\
	"Content-Length: 12\r\n"\
	"Content-Type: text/html\r\n"\
	"\r\n"\
	"hello world\n"

/* client 89 bytes */
#define REC_H10_0_LEN 89
#define REC_H10_0 \
	"GET /index.html HTTP/1.0\r\n"\
	"Host: 127.0.0.1:18091\r\n"\
	"User-Agent: curl/7.88.1\r\n"\
	"Accept: */*\r\n"\
	"\r\n"

/* server 257 bytes */
#define REC_H10_1_LEN 257
#define REC_H10_1 \
	"HTTP/1.1 200 OK\r\n"\
	"Date: Thu, 26 Nov 2026 15:34:40 GMT\r\n"\
	"Server: Apache/2.4.71 (Debian)\r\n"\
	"Last-Modified: Thu, 26 Nov 2026 15:33:58 GMT\r\n"\
	"ETag: \042c-6612fac130c84\042\r\n"\
	"Accept-Ranges: bytes\r\n"\
	"Content-Length: 12\r\n"\
	"Connection: close\r\n"\
	"Content-Type: text/html\r\n"\
	"\r\n"\
	"hello world\n"

/* server 29 bytes */
#define REC_POP3_0_LEN 29
#define REC_POP3_0 \
	"+OK Dovecot (Debian) ready.\r\n"

/* client 6 bytes */
#define REC_POP3_1_LEN 6
#define REC_POP3_1 \
	"CAPA\r\n"

/* server 89 bytes */
#define REC_POP3_2_LEN 89
#define REC_POP3_2 \
	"+OK\r\n"\
	"CAPA\r\n"\
	"TOP\r\n"\
	"UIDL\r\n"\
	"RESP-CODES\r\n"\
	"PIPELINING\r\n"\
	"AUTH-RESP-CODE\r\n"\
	"USER\r\n"\
	"SASL PLAIN LOGIN\r\n"\
	".\r\n"

/* client 12 bytes */
#define REC_POP3_3_LEN 12
#define REC_POP3_3 \
	"AUTH PLAIN\r\n"

/* server 4 bytes */
#define REC_POP3_4_LEN 4
#define REC_POP3_4 \
	"+ \r\n"

/* client 18 bytes */
#define REC_POP3_5_LEN 18
#define REC_POP3_5 \
	"AGFsaWNlAHdyb25n\r\n"

/* server 36 bytes */
#define REC_POP3_6_LEN 36
#define REC_POP3_6 \
	"-ERR [AUTH] Authentication failed.\r\n"

/* client 12 bytes */
#define REC_POP3_7_LEN 12
#define REC_POP3_7 \
	"USER alice\r\n"

/* server 5 bytes */
#define REC_POP3_8_LEN 5
#define REC_POP3_8 \
	"+OK\r\n"

/* client 13 bytes */
#define REC_POP3_9_LEN 13
#define REC_POP3_9 \
	"PASS secret\r\n"

/* server 16 bytes */
#define REC_POP3_10_LEN 16
#define REC_POP3_10 \
	"+OK Logged in.\r\n"

/* client 6 bytes */
#define REC_POP3_11_LEN 6
#define REC_POP3_11 \
	"STAT\r\n"

/* server 12 bytes */
#define REC_POP3_12_LEN 12
#define REC_POP3_12 \
	"+OK 2 6268\r\n"

/* client 6 bytes */
#define REC_POP3_13_LEN 6
#define REC_POP3_13 \
	"LIST\r\n"

/* server 35 bytes */
#define REC_POP3_14_LEN 35
#define REC_POP3_14 \
	"+OK 2 messages:\r\n"\
	"1 227\r\n"\
	"2 6041\r\n"\
	".\r\n"

/* client 6 bytes */
#define REC_POP3_15_LEN 6
#define REC_POP3_15 \
	"UIDL\r\n"

/* server 48 bytes */
#define REC_POP3_16_LEN 48
#define REC_POP3_16 \
	"+OK\r\n"\
	"1 000000016b0851de\r\n"\
	"2 000000026b0851de\r\n"\
	".\r\n"

/* client 8 bytes */
#define REC_POP3_17_LEN 8
#define REC_POP3_17 \
	"RETR 1\r\n"

/* server 247 bytes */
#define REC_POP3_18_LEN 247
#define REC_POP3_18 \
	"+OK 227 octets\r\n"\
	"From: bob@example.com\r\n"\
	"To: alice@example.com\r\n"\
	"Subject: test 1\r\n"\
	"Message-ID: <1@example.com>\r\n"\
	"\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"..leading dot line\r\n"\
	".\r\n"

/* client 9 bytes */
#define REC_POP3_19_LEN 9
#define REC_POP3_19 \
	"TOP 2 0\r\n"

/* server 102 bytes */
#define REC_POP3_20_LEN 102
#define REC_POP3_20 \
	"+OK\r\n"\
	"From: bob@example.com\r\n"\
	"To: alice@example.com\r\n"\
	"Subject: test 2\r\n"\
	"Message-ID: <2@example.com>\r\n"\
	"\r\n"\
	".\r\n"

/* client 8 bytes */
#define REC_POP3_21_LEN 8
#define REC_POP3_21 \
	"LIST 2\r\n"

/* server 12 bytes */
#define REC_POP3_22_LEN 12
#define REC_POP3_22 \
	"+OK 2 6041\r\n"

/* client 8 bytes */
#define REC_POP3_23_LEN 8
#define REC_POP3_23 \
	"RETR 2\r\n"

/* server 6062 bytes */
#define REC_POP3_24_LEN 6062
#define REC_POP3_24 \
	"+OK 6041 octets\r\n"\
	"From: bob@example.com\r\n"\
	"To: alice@example.com\r\n"\
	"Subject: test 2\r\n"\
	"Message-ID: <2@example.com>\r\n"\
	"\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"..leading dot line\r\n"\
	".\r\n"

/* client 20 bytes */
#define REC_POP3_25_LEN 20
#define REC_POP3_25 \
	"STAT\r\n"\
	"LIST 1\r\n"\
	"NOOP\r\n"

/* server 28 bytes */
#define REC_POP3_26_LEN 28
#define REC_POP3_26 \
	"+OK 2 6268\r\n"\
	"+OK 1 227\r\n"\
	"+OK\r\n"

/* client 8 bytes */
#define REC_POP3_27_LEN 8
#define REC_POP3_27 \
	"RETR 9\r\n"

/* server 28 bytes */
#define REC_POP3_28_LEN 28
#define REC_POP3_28 \
	"-ERR There's no message 9.\r\n"

/* client 6 bytes */
#define REC_POP3_29_LEN 6
#define REC_POP3_29 \
	"QUIT\r\n"

/* server 18 bytes */
#define REC_POP3_30_LEN 18
#define REC_POP3_30 \
	"+OK Logging out.\r\n"

/* server 123 bytes */
#define REC_IMAP_0_LEN 123
#define REC_IMAP_0 \
	"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITE"\
	"RAL+ AUTH=PLAIN AUTH=LOGIN] Dovecot (Debian) ready.\r\n"

/* client 15 bytes */
#define REC_IMAP_1_LEN 15
#define REC_IMAP_1 \
	"a1 CAPABILITY\r\n"

/* server 167 bytes */
#define REC_IMAP_2_LEN 167
#define REC_IMAP_2 \
	"* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+"\
	" AUTH=PLAIN AUTH=LOGIN\r\n"\
	"a1 OK Pre-login capabilities listed, post-login capabilities have more"\
	".\r\n"

/* client 23 bytes */
#define REC_IMAP_3_LEN 23
#define REC_IMAP_3 \
	"a2 LOGIN alice secret\r\n"

/* server 406 bytes */
#define REC_IMAP_4_LEN 406
#define REC_IMAP_4 \
	"* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SOR"\
	"T=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPP"\
	"END URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTE"\
	"NDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONT"\
	"EXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW"\
	" STATUS=SIZE SAVEDATE LITERAL+ NOTIFY\r\n"\
	"a2 OK Logged in\r\n"

/* client 17 bytes */
#define REC_IMAP_5_LEN 17
#define REC_IMAP_5 \
	"a3 SELECT INBOX\r\n"

/* server 308 bytes */
#define REC_IMAP_6_LEN 308
#define REC_IMAP_6 \
	"* FLAGS (\134Answered \134Flagged \134Deleted \134Seen \134Draft)\r\n"\
	"* OK [PERMANENTFLAGS (\134Answered \134Flagged \134Deleted \134Seen \134"\
	"Draft \134*)] Flags permitted.\r\n"\
	"* 2 EXISTS\r\n"\
	"* 0 RECENT\r\n"\
	"* OK [UIDVALIDITY 1795707358] UIDs valid\r\n"\
	"* OK [UIDNEXT 3] Predicted next UID\r\n"\
	"a3 OK [READ-WRITE] Select completed (0.001 + 0.000 + 0.001 secs).\r\n"

/* client 34 bytes */
#define REC_IMAP_7_LEN 34
#define REC_IMAP_7 \
	"a4 FETCH 1:2 (FLAGS RFC822.SIZE)\r\n"

/* server 132 bytes */
#define REC_IMAP_8_LEN 132
#define REC_IMAP_8 \
	"* 1 FETCH (FLAGS (\134Seen) RFC822.SIZE 227)\r\n"\
	"* 2 FETCH (FLAGS (\134Seen) RFC822.SIZE 6041)\r\n"\
	"a4 OK Fetch completed (0.001 + 0.000 secs).\r\n"

/* client 30 bytes */
#define REC_IMAP_9_LEN 30
#define REC_IMAP_9 \
	"a5 UID FETCH 2 (BODY.PEEK[])\r\n"

/* server 6121 bytes */
#define REC_IMAP_10_LEN 6121
#define REC_IMAP_10 \
	"* 2 FETCH (UID 2 BODY[] {6041}\r\n"\
	"From: bob@example.com\r\n"\
	"To: alice@example.com\r\n"\
	"Subject: test 2\r\n"\
	"Message-ID: <2@example.com>\r\n"\
	"\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	"The quick brown fox jumps over the lazy dog 0123456789.\r\n"\
	".leading dot line\r\n"\
	")\r\n"\
	"a5 OK Fetch completed (0.001 + 0.000 secs).\r\n"

/* client 9 bytes */
#define REC_IMAP_11_LEN 9
#define REC_IMAP_11 \
	"a6 IDLE\r\n"

/* server 10 bytes */
#define REC_IMAP_12_LEN 10
#define REC_IMAP_12 \
	"+ idling\r\n"

/* client 6 bytes */
#define REC_IMAP_13_LEN 6
#define REC_IMAP_13 \
	"DONE\r\n"

/* server 52 bytes */
#define REC_IMAP_14_LEN 52
#define REC_IMAP_14 \
	"a6 OK Idle completed (0.201 + 0.201 + 0.200 secs).\r\n"

/* client 22 bytes */
#define REC_IMAP_15_LEN 22
#define REC_IMAP_15 \
	"a7 APPEND INBOX {22}\r\n"

/* server 6 bytes */
#define REC_IMAP_16_LEN 6
#define REC_IMAP_16 \
	"+ OK\r\n"

/* client 24 bytes */
#define REC_IMAP_17_LEN 24
#define REC_IMAP_17 \
	"Subject: hi\r\n"\
	"\r\n"\
	"hello\r\n"\
	"\r\n"

/* server 103 bytes */
#define REC_IMAP_18_LEN 103
#define REC_IMAP_18 \
	"* 3 EXISTS\r\n"\
	"* 1 RECENT\r\n"\
	"a7 OK [APPENDUID 1795707358 3] Append completed (0.012 + 0.001 + 0.010"\
	" secs).\r\n"

/* client 11 bytes */
#define REC_IMAP_19_LEN 11
#define REC_IMAP_19 \
	"a8 LOGOUT\r\n"

/* server 65 bytes */
#define REC_IMAP_20_LEN 65
#define REC_IMAP_20 \
	"* BYE Logging out\r\n"\
	"a8 OK Logout completed (0.001 + 0.000 secs).\r\n"

/* server 20 bytes */
#define REC_FTP_0_LEN 20
#define REC_FTP_0 \
	"220 (vsFTPd 3.0.3)\r\n"

/* client 16 bytes */
#define REC_FTP_1_LEN 16
#define REC_FTP_1 \
	"USER anonymous\r\n"

/* server 34 bytes */
#define REC_FTP_2_LEN 34
#define REC_FTP_2 \
	"331 Please specify the password.\r\n"

/* client 17 bytes */
#define REC_FTP_3_LEN 17
#define REC_FTP_3 \
	"PASS anonymous@\r\n"

/* server 23 bytes */
#define REC_FTP_4_LEN 23
#define REC_FTP_4 \
	"230 Login successful.\r\n"

/* client 6 bytes */
#define REC_FTP_5_LEN 6
#define REC_FTP_5 \
	"SYST\r\n"

/* server 19 bytes */
#define REC_FTP_6_LEN 19
#define REC_FTP_6 \
	"215 UNIX Type: L8\r\n"

/* client 8 bytes */
#define REC_FTP_7_LEN 8
#define REC_FTP_7 \
	"TYPE I\r\n"

/* server 31 bytes */
#define REC_FTP_8_LEN 31
#define REC_FTP_8 \
	"200 Switching to Binary mode.\r\n"

/* client 18 bytes */
#define REC_FTP_9_LEN 18
#define REC_FTP_9 \
	"SIZE pub/big.bin\r\n"

/* server 12 bytes */
#define REC_FTP_10_LEN 12
#define REC_FTP_10 \
	"213 200000\r\n"

/* client 8 bytes */
#define REC_FTP_11_LEN 8
#define REC_FTP_11 \
	"TYPE I\r\n"

/* server 31 bytes */
#define REC_FTP_12_LEN 31
#define REC_FTP_12 \
	"200 Switching to Binary mode.\r\n"

/* client 6 bytes */
#define REC_FTP_13_LEN 6
#define REC_FTP_13 \
	"PASV\r\n"

/* server 47 bytes */
#define REC_FTP_14_LEN 47
#define REC_FTP_14 \
	"227 Entering Passive Mode (127,0,0,1,70,116).\r\n"

/* client 18 bytes */
#define REC_FTP_15_LEN 18
#define REC_FTP_15 \
	"RETR pub/big.bin\r\n"

/* server 73 bytes */
#define REC_FTP_16_LEN 73
#define REC_FTP_16 \
	"150 Opening BINARY mode data connection for pub/big.bin (200000 bytes)"\
	".\r\n"

/* server 24 bytes */
#define REC_FTP_17_LEN 24
#define REC_FTP_17 \
	"226 Transfer complete.\r\n"

/* client 8 bytes */
#define REC_FTP_18_LEN 8
#define REC_FTP_18 \
	"TYPE A\r\n"

/* server 30 bytes */
#define REC_FTP_19_LEN 30
#define REC_FTP_19 \
	"200 Switching to ASCII mode.\r\n"

/* client 6 bytes */
#define REC_FTP_20_LEN 6
#define REC_FTP_20 \
	"PASV\r\n"

/* server 47 bytes */
#define REC_FTP_21_LEN 47
#define REC_FTP_21 \
	"227 Entering Passive Mode (127,0,0,1,70,112).\r\n"

/* client 10 bytes */
#define REC_FTP_22_LEN 10
#define REC_FTP_22 \
	"LIST pub\r\n"

/* server 39 bytes */
#define REC_FTP_23_LEN 39
#define REC_FTP_23 \
	"150 Here comes the directory listing.\r\n"

/* server 24 bytes */
#define REC_FTP_24_LEN 24
#define REC_FTP_24 \
	"226 Directory send OK.\r\n"

/* client 8 bytes */
#define REC_FTP_25_LEN 8
#define REC_FTP_25 \
	"TYPE I\r\n"

/* server 31 bytes */
#define REC_FTP_26_LEN 31
#define REC_FTP_26 \
	"200 Switching to Binary mode.\r\n"

/* client 6 bytes */
#define REC_FTP_27_LEN 6
#define REC_FTP_27 \
	"PASV\r\n"

/* server 47 bytes */
#define REC_FTP_28_LEN 47
#define REC_FTP_28 \
	"227 Entering Passive Mode (127,0,0,1,70,119).\r\n"

/* client 13 bytes */
#define REC_FTP_29_LEN 13
#define REC_FTP_29 \
	"STOR up.bin\r\n"

/* server 24 bytes */
#define REC_FTP_30_LEN 24
#define REC_FTP_30 \
	"550 Permission denied.\r\n"

/* client 6 bytes */
#define REC_FTP_31_LEN 6
#define REC_FTP_31 \
	"QUIT\r\n"

/* server 14 bytes */
#define REC_FTP_32_LEN 14
#define REC_FTP_32 \
	"221 Goodbye.\r\n"

#endif /* TRACK_RECORDED_H */
